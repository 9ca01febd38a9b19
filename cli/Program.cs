// Placeholder entry point; the command set is built by the CLI work (issue: vault format and CLI).
return 0;
