"""Use cases that own their transactions; web and api call these, never the tables directly.

The audit log and the catalogue the assessments are read against are set up by `start`
(startup.py), which create_app, the command line and the test fixtures call; importing a
package turns nothing on.
"""
