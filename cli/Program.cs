using Layered.Cli;

// The `layered` executable: everything happens in LayeredCli so tests can run it in-process too.
// First, before the runtime's and the command's threads allocate: each thread that mallocs takes a new arena until there are 8.
Layered.Cli.Infrastructure.MallocArenas.LimitUnlessConfigured();
return LayeredCli.Run(args, CliConsole.FromSystemConsole());
