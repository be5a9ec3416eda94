"""Periods and their criteria sets: set-up, copying last year, phases, and the rules of which
leaves count for which agency (`criteria`)."""
