"""Reading an advert's text, the one way the crawler and matching both use: HTML to lines (``html``),
whitespace, bullets and sentences (``normalise``), headings and sections (``sections``) and the
requirement lines an advert asks for (``extract``). It imports nothing of the project, so neither the
crawler nor matching needs the other."""
