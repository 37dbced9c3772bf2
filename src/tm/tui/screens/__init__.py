"""One screen per task: lookup, document, review (QA), glossary; dialogs are modal screens."""
