using System.Text.Json;
using US3L.Config;
using US3L.Training;

namespace US3L.Cli.Tests;

/// <summary>
/// Bad inputs, counted: each case runs the CLI on one kind of bad input (command line, recipe,
/// config.json, checkpoint, run folder, dataset, notebook parameter) in a workspace of prepared bad
/// files, and must be refused with exit code 1 and exactly one line, <c>error: MESSAGE</c> (no stack
/// trace without --verbose), leaving every file and folder of the workspace as it was (no run folder,
/// no output file, no half-written checkpoint). docs/bad-inputs.md lists the same cases; a test keeps
/// the table and this list equal.
/// </summary>
public sealed class BadInputTests(BadInputTests.Workspace workspace) : IClassFixture<BadInputTests.Workspace>
{
    /// <summary>
    /// One bad input. Messages may name computed parts: {dir} (the workspace), {recipes} (the shipped
    /// recipes' folder), {recipe_names}, {keys} (the config keys), {epochz_line} and {sampler_line} (lines
    /// of the damaged config.json files), {header_length} (of the truncated checkpoint).
    /// </summary>
    public sealed record Case(string Id, string Kind, string[] Args, string Message);

    public static readonly Case[] Cases =
    [
        new("cli-unknown-command", "CLI", ["pretrian"],
            "'us3l' has no command 'pretrian'. Did you mean 'pretrain'? See 'us3l --help'."),
        new("cli-missing-command", "CLI", ["bench"],
            "'us3l bench' needs a command. See 'us3l bench --help'."),
        new("cli-unknown-option", "CLI", ["bench", "engine", "--btach", "3"],
            "'us3l bench engine' has no option '--btach'. Did you mean '--batch'? See 'us3l bench engine --help'."),
        new("cli-option-type", "CLI", ["bench", "engine", "--batch", "abc"],
            "Cannot parse argument 'abc' for option '--batch' as an integer. See 'us3l bench engine --help'."),
        new("cli-missing-option", "CLI", ["knn", "--random-init"],
            "Option '--arch' is required. See 'us3l knn --help'."),
        new("cli-option-twice", "CLI", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--profile", "short"],
            "Option '--profile' expects a single argument but 2 were provided. See 'us3l pretrain --help'."),
        new("cli-width-out-of-range", "CLI", ["bench", "engine", "--widths", "1.5"],
            "--widths: '1.5' is not a width in (0, 1]; expected e.g. 1.0,0.5,0.25"),
        new("cli-width-untrained", "CLI", ["knn", "--random-init", "--arch", "us_resnet10_mini", "--widths", "0.1"],
            "--widths: 0.1 is outside us_resnet10_mini's trained range [0.25, 1.0]."),
        new("cli-nonpositive-count", "CLI", ["bench", "engine", "--rounds", "0"],
            "--rounds must be a positive integer, got 0."),
        new("cli-resume-with-recipe", "CLI", ["pretrain", "--resume", "run", "--recipe", "fashion-mnist-us3l"],
            "--resume continues a run with its own config; drop --recipe and --config."),
        new("cli-config-with-set", "CLI", ["pretrain", "--config", "run/config.json", "--set", "epochs=2"],
            "--config runs a resolved config exactly as it is; drop --recipe, --profile and --set (or edit the file)."),
        new("cli-export-extension", "CLI", ["export", "--random-init", "--arch", "us_resnet10_mini", "--width", "0.5", "--out", "x.pt"],
            "--out must name a .safetensors file, got 'x.pt'."),
        new("recipe-unknown-key", "recipe", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--set", "ema_momentun=0.9"],
            "--set ema_momentun=0.9: unknown key 'ema_momentun'. Did you mean 'ema_momentum'? Valid keys: {keys}."),
        new("recipe-bad-enum", "recipe", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--set", "sampler=sandwhich"],
            "--set sampler=sandwhich: 'sampler' expects one of sandwich, uniform, fixed, dynamic_a, sandwich_reference, got 'sandwhich'. Did you mean 'sandwich'?"),
        new("recipe-out-of-range", "recipe", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--set", "width_max=1.5"],
            "{recipes}/fashion-mnist-us3l.yaml (profile smoke): width_max must be in (0, 1], got 1.5."),
        new("recipe-bad-type", "recipe", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--set", "epochs=many"],
            "--set epochs=many: 'epochs' expects an integer, got 'many'."),
        new("recipe-override-without-value", "recipe", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--set", "epochs"],
            "--set epochs: expected key=value, e.g. epochs=2 or base_loss=simsiam."),
        new("recipe-unknown-profile", "recipe", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "tiny"],
            "{recipes}/fashion-mnist-us3l.yaml: no profile 'tiny'; this recipe defines smoke, short, full."),
        new("recipe-unknown-name", "recipe", ["pretrain", "--recipe", "fashion-mnist-us4l"],
            "fashion-mnist-us4l: no such recipe in {recipes}. Did you mean 'fashion-mnist-us3l'? Recipes: {recipe_names}; or give the path of a YAML file."),
        new("recipe-file-missing", "recipe", ["pretrain", "--recipe", "nosuch.yaml"],
            "nosuch.yaml: recipe file not found."),
        new("recipe-file-unknown-key", "recipe", ["pretrain", "--recipe", "typo.yaml"],
            "{dir}/typo.yaml:2: unknown key 'ema_momentun'. Did you mean 'ema_momentum'? Valid keys: {keys}."),
        new("recipe-file-invalid-yaml", "recipe", ["pretrain", "--recipe", "broken.yaml"],
            "{dir}/broken.yaml:3: not valid YAML: While parsing a flow sequence, did not find expected ',' or ']'."),
        new("config-json-invalid", "config JSON", ["pretrain", "--resume", "run-badjson"],
            "run-badjson/config.json: Invalid pretraining config: not valid JSON (line 1)."),
        new("config-json-unknown-key", "config JSON", ["pretrain", "--resume", "run-unknownkey"],
            "run-unknownkey/config.json: Invalid pretraining config: unknown key 'epochz' (line {epochz_line}). Did you mean 'epochs'?"),
        new("config-file-out-of-range", "config JSON", ["pretrain", "--config", "range.json", "--out", "fresh"],
            "range.json: epochs must be at least 1, got 0."),
        new("config-json-bad-value", "config JSON", ["pretrain", "--resume", "run-badvalue"],
            "run-badvalue/config.json: Invalid pretraining config: 'sampler' (line {sampler_line}) has a value of the wrong type, or a name it does not know."),
        new("config-json-missing", "config JSON", ["pretrain", "--resume", "run-nocfg"],
            "run-nocfg/config.json is missing; a run folder holds the config.json its run was started with."),
        new("checkpoint-corrupt", "checkpoint", ["knn", "--arch", "us_resnet10_mini", "--checkpoint", "garbage.safetensors"],
            "garbage.safetensors: not a readable safetensors checkpoint ('garbage.safetensors' is not a valid safetensors file: header length 7521891404167278446 exceeds the 100000000-byte limit)."),
        new("checkpoint-truncated", "checkpoint", ["pretrain", "--resume", "run-trunc"],
            "'run-trunc/checkpoints/last.safetensors' is not a valid safetensors file: header length {header_length} runs past the end of the file (5000 bytes; truncated?)."),
        new("checkpoint-missing", "checkpoint", ["knn", "--arch", "us_resnet10_mini", "--checkpoint", "missing.safetensors"],
            "--checkpoint: file not found: missing.safetensors"),
        new("checkpoint-other-arch", "checkpoint", ["knn", "--arch", "us_cifar_resnet18", "--checkpoint", "run/checkpoints/last.safetensors"],
            "run/checkpoints/last.safetensors: the checkpoint is for us_resnet10_mini, not --arch us_cifar_resnet18."),
        new("checkpoint-other-shapes", "checkpoint", ["knn", "--arch", "us_resnet10_mini", "--divisor", "4", "--dataset", "synthetic", "--checkpoint", "run/checkpoints/last.safetensors"],
            "run/checkpoints/last.safetensors: does not fit us_resnet10_mini (36 tensors of another shape (conv1.weight: [32, 3, 3, 3] given, [16, 3, 3, 3] expected, bn1.weight: [32] given, [16] expected, ...)). Is --arch (or --divisor, --widths-list) right?"),
        new("checkpoint-does-not-fit-run", "checkpoint", ["pretrain", "--resume", "run-otherarch"],
            "run-otherarch/checkpoints/last.safetensors does not fit the run's config (arch us_cifar_resnet18): 24 missing keys (backbone.layer1.1.conv1.weight, backbone.layer1.1.bn1.weight, ...); 37 tensors of another shape (backbone.conv1.weight: [32, 3, 3, 3] given, [64, 3, 3, 3] expected, backbone.bn1.weight: [32] given, [64] expected, ...). Is config.json the one this checkpoint was trained with?"),
        new("run-folder-not-a-run", "run folder", ["pretrain", "--resume", "empty"],
            "empty is not a run folder: it has no checkpoint (empty/checkpoints/last.safetensors) and no config.json."),
        new("run-folder-log-inconsistent", "run folder", ["pretrain", "--resume", "run-shortlog"],
            "run-shortlog/metrics.jsonl holds 1 of the 3 lines its checkpoint counts; the run folder is inconsistent (was metrics.jsonl edited or replaced?)."),
        new("run-folder-taken", "run folder", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--out", "run"],
            "run already holds a run; resume it (us3l pretrain --resume, Pretrainer.Resume) or pick a new folder."),
        new("dataset-files-missing", "dataset", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--set", "data_dir=empty", "--out", "new-run"],
            "Fashion-MNIST file not found: empty/train-images-idx3-ubyte.gz. Put the Fashion-MNIST IDX files in empty, or install the default copy with 'sudo apt-get install dataset-fashion-mnist' (it goes to /usr/share/datasets/fashion-mnist)."),
        new("dataset-idx-magic", "dataset", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--set", "data_dir=badmagic", "--out", "new-run"],
            "badmagic/train-images-idx3-ubyte.gz: bad magic number 0x00000804, expected 0x00000803 (an IDX file of unsigned bytes with 3 dimensions). The file is corrupt or of another kind."),
        new("dataset-non-image", "dataset", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--set", "dataset=image-folder", "--set", "augmentation=cifar", "--set", "data_dir=images", "--out", "new-run"],
            "images/b/notes.txt: not a JPEG or PNG image (first bytes: 6E6F7420616E2069)."),
        new("dataset-no-class-folders", "dataset", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--set", "dataset=image-folder", "--set", "augmentation=cifar", "--set", "data_dir=empty", "--out", "new-run"],
            "empty: no class sub-folders. Expected the layout empty/<class>/<image> (one folder per class, e.g. n01440764/ILSVRC2012_val_00000293.JPEG)."),
        new("dataset-folder-not-given", "dataset", ["pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--set", "dataset=image-folder", "--set", "augmentation=cifar", "--out", "new-run"],
            "Dataset image-folder needs DataDir (a folder of class folders, or with train/ and val/)."),
        new("dataset-cifar-missing", "dataset", ["pretrain", "--recipe", "cifar100-resnet18-us3l-mse", "--profile", "short", "--set", "data_dir=empty", "--out", "new-run"],
            "CIFAR file not found: empty/test.bin (nor empty/cifar-100-binary/test.bin). Download the binary version with 'data-scripts/cifar100.sh <folder>' and pass that folder."),
        new("notebook-parameter-malformed", "notebook", ["notebook", "run", "params.ipynb", "-p", "seed", "--output", "out.ipynb"],
            "A parameter is written name=value (a C# identifier, '=', a value), got 'seed'."),
        new("notebook-parameter-unknown", "notebook", ["notebook", "run", "params.ipynb", "-p", "epochs=3", "--output", "out.ipynb"],
            "Unknown parameter 'epochs'. The parameters cell declares: profile, seed."),
        new("notebook-parameter-twice", "notebook", ["notebook", "run", "params.ipynb", "-p", "seed=1", "-p", "seed=2", "--output", "out.ipynb"],
            "The parameter 'seed' is given more than once."),
        new("notebook-no-parameters-cell", "notebook", ["notebook", "run", "untagged.ipynb", "-p", "seed=1", "--output", "out.ipynb"],
            "The notebook has no cell tagged 'parameters', so it takes no parameters."),
        new("notebook-missing", "notebook", ["notebook", "run", "missing.ipynb"],
            "No notebook at {dir}/missing.ipynb."),
        new("notebook-not-json", "notebook", ["notebook", "run", "garbage.safetensors"],
            "{dir}/garbage.safetensors is not a notebook (invalid JSON at line 1)."),
        new("notebook-timeout", "notebook", ["notebook", "run", "params.ipynb", "--timeout", "0"],
            "--timeout must be a positive number of seconds, got 0."),
    ];

    public static TheoryData<string> Ids => new(Cases.Select(c => c.Id));

    [Theory]
    [MemberData(nameof(Ids))]
    public void Refused_in_one_line_leaving_nothing_behind(string id)
    {
        var c = Cases.Single(x => x.Id == id);
        var before = workspace.Snapshot();
        var (code, output) = CliProcess.Run(workspace.Dir, c.Args);
        Assert.Equal("error: " + workspace.Expand(c.Message), output.TrimEnd('\n'));
        Assert.Equal(1, code);
        Assert.Equal(before, workspace.Snapshot());
    }

    [Fact]
    public void Verbose_adds_the_stack_trace()
    {
        var (code, output) = CliProcess.Run(workspace.Dir, "bench", "engine", "--rounds", "0", "--verbose");
        Assert.Equal(1, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("error: --rounds must be a positive integer, got 0.", lines[0]);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("at US3L.Cli.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_table_in_docs_lists_exactly_these_cases()
    {
        var rows = File.ReadLines(Path.Combine(CliProcess.RepoRoot, "docs", "bad-inputs.md"))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split(" | ").Select(cell => cell.Trim('|', ' ', '`')).ToArray())
            .ToArray();
        Assert.Equal(Cases.Select(c => c.Id), rows.Select(r => r[0]));
        foreach (var (c, row) in Cases.Zip(rows))
            Assert.Equal((c.Kind, "us3l " + string.Join(" ", c.Args), c.Message), (row[1], row[2], row[3]));
    }

    [Fact]
    public void Knn_evaluates_a_runs_checkpoint()
    {
        var (code, output) = CliProcess.Run(workspace.Dir, "knn", "--arch", "us_resnet10_mini", "--checkpoint", "run/checkpoints/last.safetensors",
            "--dataset", "synthetic", "--train-subset", "64", "--test-subset", "32", "--widths", "1.0", "--k", "5", "--calibrate-batches", "1", "--json");
        Assert.True(code == 0, output);
        var line = JsonDocument.Parse(output.Split('\n').Single(l => l.StartsWith('{'))).RootElement;
        Assert.Equal("run/checkpoints/last.safetensors", line.GetProperty("weights").GetString());
    }

    /// <summary>A folder of bad inputs, and a tiny finished run (synthetic images, one epoch) with damaged copies.</summary>
    public sealed class Workspace : IDisposable
    {
        private readonly Dictionary<string, string> values = new();

        public Workspace()
        {
            Dir = Directory.CreateTempSubdirectory("us3l-bad-inputs-").FullName;
            Directory.CreateDirectory(Path.Combine(Dir, "empty"));
            WriteImages();
            WriteBadIdx();
            File.WriteAllText(Path.Combine(Dir, "garbage.safetensors"), "not a checkpoint");
            File.WriteAllText(Path.Combine(Dir, "typo.yaml"), "epochs: 2\nema_momentun: 0.9\n");
            File.WriteAllText(Path.Combine(Dir, "broken.yaml"), "epochs: 10\nlr: [0.1\n");
            File.WriteAllText(Path.Combine(Dir, "params.ipynb"), Notebook("parameters"));
            File.WriteAllText(Path.Combine(Dir, "untagged.ipynb"), Notebook(null));
            Train();
            Damage();
            values["dir"] = Dir;
            values["recipes"] = RecipeLoader.Folder;
            values["recipe_names"] = string.Join(", ", RecipeLoader.Names);
            values["keys"] = string.Join(", ", ConfigSchema.For<PretrainConfig>().Keys);
        }

        public string Dir { get; }

        public string Expand(string message) => values.Aggregate(message, (m, v) => m.Replace("{" + v.Key + "}", v.Value, StringComparison.Ordinal));

        /// <summary>Every file and folder with its size and last write time.</summary>
        public string[] Snapshot() => Directory.EnumerateFileSystemEntries(Dir, "*", SearchOption.AllDirectories)
            .Select(p => File.Exists(p) ? $"{Path.GetRelativePath(Dir, p)} {new FileInfo(p).Length} {File.GetLastWriteTimeUtc(p).Ticks}" : Path.GetRelativePath(Dir, p) + "/")
            .Order(StringComparer.Ordinal).ToArray();

        private void Train()
        {
            var (code, output) = CliProcess.Run(Dir, "pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--set", "dataset=synthetic",
                "--set", "augmentation=cifar", "--set", "train_subset=32", "--set", "batch_size=16", "--set", "epochs=1", "--set", "sampler=sandwich",
                "--set", "knn_every=0", "--set", "knn_subset=32", "--set", "projector_hidden=32", "--set", "projector_out=16",
                "--set", "predictor_hidden=32", "--out", "run");
            if (code != 0) throw new InvalidOperationException($"the workspace's run did not train: {output}");
        }

        /// <summary>Copies of the run, each damaged in one way.</summary>
        private void Damage()
        {
            string Copy(string name)
            {
                var to = Path.Combine(Dir, name);
                foreach (var file in Directory.GetFiles(Path.Combine(Dir, "run"), "*", SearchOption.AllDirectories))
                {
                    var target = Path.Combine(to, Path.GetRelativePath(Path.Combine(Dir, "run"), file));
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.Copy(file, target);
                }
                return to;
            }
            string ConfigOf(string run) => Path.Combine(run, "config.json");
            int LineOf(string file, string text) => Array.FindIndex(File.ReadAllLines(file), l => l.Contains(text, StringComparison.Ordinal)) + 1;

            File.WriteAllText(ConfigOf(Copy("run-badjson")), "{ not json");
            var unknown = ConfigOf(Copy("run-unknownkey"));
            File.WriteAllText(unknown, File.ReadAllText(unknown).Replace("\"epochs\"", "\"epochz\"", StringComparison.Ordinal));
            values["epochz_line"] = LineOf(unknown, "epochz").ToString(System.Globalization.CultureInfo.InvariantCulture);
            var badValue = ConfigOf(Copy("run-badvalue"));
            File.WriteAllText(badValue, File.ReadAllText(badValue).Replace("\"sampler\": \"sandwich\"", "\"sampler\": \"sandwhich\"", StringComparison.Ordinal));
            values["sampler_line"] = LineOf(badValue, "sandwhich").ToString(System.Globalization.CultureInfo.InvariantCulture);
            File.Delete(ConfigOf(Copy("run-nocfg")));
            File.WriteAllText(Path.Combine(Dir, "range.json"),
                File.ReadAllText(ConfigOf(Path.Combine(Dir, "run"))).Replace("\"epochs\": 1,", "\"epochs\": 0,", StringComparison.Ordinal));
            var otherArch = ConfigOf(Copy("run-otherarch"));
            File.WriteAllText(otherArch, File.ReadAllText(otherArch).Replace("\"us_resnet10_mini\"", "\"us_cifar_resnet18\"", StringComparison.Ordinal));
            var shortLog = Path.Combine(Copy("run-shortlog"), "metrics.jsonl");
            File.WriteAllLines(shortLog, File.ReadAllLines(shortLog).Take(1));
            var truncated = Path.Combine(Copy("run-trunc"), "checkpoints", "last.safetensors");
            using (var stream = new FileStream(truncated, FileMode.Open))
            {
                var length = new byte[8];
                stream.ReadExactly(length);
                values["header_length"] = BitConverter.ToUInt64(length).ToString(System.Globalization.CultureInfo.InvariantCulture);
                stream.SetLength(5000);
            }
        }

        /// <summary>An image folder with two classes of PNGs and a text file among them.</summary>
        private void WriteImages()
        {
            foreach (var c in new[] { "a", "b" })
            {
                Directory.CreateDirectory(Path.Combine(Dir, "images", c));
                for (var i = 0; i < 2; i++) File.WriteAllBytes(Path.Combine(Dir, "images", c, $"{i}.png"), Convert.FromBase64String(TinyPng));
            }
            File.WriteAllText(Path.Combine(Dir, "images", "b", "notes.txt"), "not an image");
        }

        /// <summary>Fashion-MNIST's four files, gzipped, each with the magic number of the other IDX rank.</summary>
        private void WriteBadIdx()
        {
            Directory.CreateDirectory(Path.Combine(Dir, "badmagic"));
            foreach (var (name, dims) in new[] { ("train-images-idx3-ubyte", 3), ("train-labels-idx1-ubyte", 1), ("t10k-images-idx3-ubyte", 3), ("t10k-labels-idx1-ubyte", 1) })
            {
                using var file = File.Create(Path.Combine(Dir, "badmagic", name + ".gz"));
                using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
                gzip.Write([0, 0, 8, (byte)(dims + 1)]);
                gzip.Write(new byte[64]);
            }
        }

        private static string Notebook(string? tag) => JsonSerializer.Serialize(new
        {
            cells = new[]
            {
                new
                {
                    cell_type = "code", execution_count = (int?)null, outputs = Array.Empty<object>(),
                    metadata = tag is null ? new Dictionary<string, string[]>() : new Dictionary<string, string[]> { ["tags"] = [tag] },
                    source = "var profile = \"smoke\";\nvar seed = 0;",
                },
            },
            metadata = new { }, nbformat = 4, nbformat_minor = 4,
        });

        // A 1x1 RGB PNG.
        private const string TinyPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

        public void Dispose() => Directory.Delete(Dir, recursive: true);
    }
}
