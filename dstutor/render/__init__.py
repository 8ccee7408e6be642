"""Pure renderers: Kubernetes objects (as JSON dicts) in, kubectl's exact text out.

table (tabwriter, `get` layout), humanize (ages, dates), columns (server-side
table cells per kind), output (-o yaml/json/name/custom-columns), jsonpath,
describe / describe_pod / describe_node (kubectl describe layouts). Modules whose
names start with an underscore reproduce Go library behaviour (fmt, encoding/json,
go-yaml, sort, resource.Quantity) that the public ones rely on.
"""
