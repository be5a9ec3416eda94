"""The pages, one module per audience: agencies, reviewers, the council, reports, background
jobs, the home page and the public site. Views only answer requests: permissions live in
`ranking.rules`, writes in the concepts' services, reads in their selectors."""
