"""Northwind's example policy set, shipped with the package for `cxpolicy init --example retail`.

cxpolicy reads only the YAML files here; this file makes the folder a package so that an installed
cxpolicy can copy them."""
