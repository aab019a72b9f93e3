"""Consultation rounds (høringer), by what the code does:

- ``rounds``: a round of a published version, its dates and state;
- ``invitees``: who is invited, who takes part for each, the invitation mail;
- ``access``: who may see a round and take part, until when (guests through their link);
- ``comments``: comments on sections and passages, replies, amendments;
- ``responses``: formal responses, drafted together and submitted once;
- ``answers``: the county's answers, amendments written into the draft, publication;
- ``notices``: what the staff and the commenters hear, by mail or in the daily digest;
- ``page``: everything a round's page shows, in a fixed number of queries;
- ``schemas``, ``views``, ``api``: input and read models, the pages and the JSON API.
"""
