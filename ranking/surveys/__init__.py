"""The survey (điều tra xã hội học): anonymous answers turned into the survey leaves' points."""
