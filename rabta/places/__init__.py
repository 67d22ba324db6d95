"""Where policing happens: districts, police stations and beats.

models      the tables and their scope rules (`visible_to`)
selectors   reads: the public search, beat lookups, what a manager may pick in the admin
services    bulk writes: importing beats from GeoJSON (`manage.py import_beats`)
lookup      the in-memory point-in-beat index, one per process
presenters  place data in words, in the reader's language
views, forms, urls, admin, demo   the public "find your neighbourhood" pages and the back office
"""
