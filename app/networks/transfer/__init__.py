"""Export and import of bodies, memberships and contacts as CSV or XLSX.

``columns`` says what a file holds, ``formats`` reads and writes CSV and XLSX, ``exporter``
writes the workspace's own rows, ``importer`` checks a file (with ``rows`` and one module per
dataset: ``bodies``, ``memberships``, ``contacts``) and applies it through the networks
services, and ``views`` holds the pages.
"""
