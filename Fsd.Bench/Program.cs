// Placeholder entry point; benchmark suites are added per component.
return 0;
