"""The case as the unit of work: one case file (the people once, the meetings, each document's
own part) from which every document of a conference is made, and the cross-document rules of
the domain spec §8. The service keeps no case: the file is the client's (spec §7.3-3). No Flask."""
