"""The JSON Schemas of policy documents, generated from cxpolicy.model by `cxpolicy schema --write`."""
