using Layered.Cli;

// The `layered` executable: everything happens in LayeredCli so tests can run it in-process too.
return LayeredCli.Run(args, CliConsole.FromSystemConsole());
