"""Environmental and climate disclosure (issue #17, deliverable 6): the pure arithmetic of the disclosed
figures (scope 1 and scope 2, by facility and by source type, year on year) and of the disclosure
deadlines (the 15 March annual report, the 5-working-day temporary report). No database here: the use
cases (:mod:`carbonpeak.services.disclosure`) read the stored results and call these functions."""
