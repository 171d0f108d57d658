using System.CommandLine;
using US3L.Cli;

var root = new RootCommand("US3L Notebooks: universally slimmable self-supervised learning");
root.Subcommands.Add(BenchCommands.Create());
root.Subcommands.Add(ModelCommands.Create());
foreach (var command in EvalCommands.Create()) root.Subcommands.Add(command);
root.Subcommands.Add(PretrainCommand.Create());
root.Subcommands.Add(FinetuneCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(DeviceCheck.Create());
root.Subcommands.Add(StudyCommand.Create());
root.Subcommands.Add(NotebookCommands.Create());
root.Subcommands.Add(ImportCommand.Create());
return Cli.Run(root, args);
