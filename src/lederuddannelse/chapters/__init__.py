"""One module per book page, named by the chapter's slug, plus the Chapter object they share."""
