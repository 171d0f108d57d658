// A notebook's first cell: #load "<repo>/src/US3L.Notebook/bin/Release/net10.0/us3l.csx"
// references the kit and turns on its rich display (#r does not reference dependencies). It runs
// unchanged in the kit's kernel and in .NET Interactive: nothing here names either kernel.
#nullable enable
#r "US3L.Torch.dll"
#r "US3L.Kit.dll"
#r "US3L.Figures.dll"
#r "US3L.Notebook.dll"
US3L.Notebook.Notebook.Init();

// The functions notebooks call unqualified. They live in US3L.Notebook.dll (NotebookFunctions),
// which finds the running kernel to show outputs and read the cell's interrupt.
US3L.Notebook.NotebookRun Pretrain(string label, US3L.Training.PretrainConfig config) =>
    US3L.Notebook.NotebookFunctions.Pretrain(label, config);

US3L.Notebook.WidthAccuracies EvaluateWidths(US3L.Notebook.NotebookRun? run, US3L.Training.PretrainConfig config,
    IReadOnlyList<double> widths, US3L.Notebook.EvaluationSettings settings) =>
    US3L.Notebook.NotebookFunctions.EvaluateWidths(run, config, widths, settings);
