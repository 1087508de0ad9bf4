"""The small policy set every rule example is added to.

A rule's failing and passing examples show only the documents that matter;
the test suite (and docs/rules.md, which prints this base once) runs each of
them on top of this base, which on its own is clean under every check.
"""

BASE = """\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: cco, title: Chief Customer Officer}
spec: {executive: true, lead: Amara Osei, codeowners: ["@example/cco"]}
---
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: care, title: Customer Care}
spec: {reportsTo: cco, lead: Sam Reyes, codeowners: ["@example/care"]}
---
apiVersion: cxpolicy/v1
kind: Segment
metadata: {id: members, title: Members}
spec: {priority: strategic, sponsor: cco}
---
apiVersion: cxpolicy/v1
kind: Channel
metadata: {id: phone}
spec: {type: assisted, owner: care}
---
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: care-line, title: Care phone line}
spec: {channel: phone, owner: care, momentOfTruth: true}
---
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: get-help, title: Get help}
spec:
  owner: care
  segments: [members]
  stages:
    - {id: call, touchpoints: [care-line]}
---
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-60s}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line]}
  metric: time-to-answer
  objective: {max: 60s}
  measuredBy: answer-time
---
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: answer-time}
spec:
  owner: care
  definition: Mean seconds to answer a call
  metric: time-to-answer
  unit: s
  direction: decrease
  indicator: leading
  baseline: {value: 75, asOf: 2026-09-30}
  targets: [{value: 60, by: 2027-06-30}]
  source: Telephony platform
  drives: [nps]
---
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: hours-to-resolve}
spec:
  owner: care
  definition: Median hours from first contact to the case closed as resolved
  metric: time-to-resolve
  unit: h
  direction: decrease
  indicator: leading
  baseline: {value: 30, asOf: 2026-09-30}
  targets: [{value: 24, by: 2027-06-30}]
  source: Case records
---
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: first-response-time}
spec:
  owner: care
  definition: Median minutes to the first reply
  metric: time-to-first-response
  unit: min
  direction: decrease
  indicator: leading
  baseline: {value: 20, asOf: 2026-09-30}
  targets: [{value: 15, by: 2027-06-30}]
  source: Messaging platform
---
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: nps}
spec:
  owner: cco
  definition: Relationship NPS
  metric: nps
  unit: score
  direction: increase
  indicator: lagging
  baseline: {value: 30, asOf: 2026-09-30}
  targets: [{value: 35, by: 2027-06-30}]
  source: Quarterly survey
---
apiVersion: cxpolicy/v1
kind: ListeningPost
metadata: {id: survey}
spec:
  owner: cco
  method: survey
  covers: {journeys: [get-help]}
  cadence: monthly
  feeds: [care]
"""

#: The date the examples are judged on.
TODAY = "2026-11-22"
