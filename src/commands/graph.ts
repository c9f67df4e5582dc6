// gen graph: the topology as a diagram. Mermaid or DOT on stdout; with
// -o, the extension decides: .svg and .png drawn by Graphviz `dot`, .dot
// or .gv, .mmd (Mermaid), .md (Mermaid in a Markdown page, as out/graph.md).
import { Option, type Command } from 'commander';
import { cleanModel } from './model.js';
import { topologyFile, withTopologyFile } from './topology-arg.js';

type GraphFormat = 'mermaid' | 'markdown' | 'dot' | 'svg' | 'png';

const BY_EXTENSION = {
  '.svg': { format: 'svg', what: 'an SVG drawing' },
  '.png': { format: 'png', what: 'a PNG drawing' },
  '.dot': { format: 'dot', what: 'Graphviz DOT' },
  '.gv': { format: 'dot', what: 'Graphviz DOT' },
  '.mmd': { format: 'mermaid', what: 'Mermaid' },
  '.md': { format: 'markdown', what: 'Mermaid in Markdown' },
} as const satisfies Record<string, { format: GraphFormat; what: string }>;

interface GraphOptions {
  file?: string;
  format?: GraphFormat;
  output?: string;
  force?: boolean;
}

export function registerGraphCommands(cli: Command, setExit: (code: number) => void): void {
  withTopologyFile(
    cli
      .command('graph')
      .description('draw the topology: sites, hosts, bridges, interfaces, VLANs, the VPN and its peers, the VPC, services, allowed flows, HAProxy frontends and backends, and port forwards to their targets'),
  )
    .addOption(new Option('--format <format>', 'mermaid (default on stdout), markdown, dot, svg or png (svg and png need Graphviz dot); with -o the extension decides').choices(['mermaid', 'markdown', 'dot', 'svg', 'png']))
    .option('-o, --output <file>', 'write to this file: .svg, .png, .dot/.gv, .mmd or .md (not the topology, nor in out/ or the secrets directory)')
    .option('--force', 'replace an existing file')
    .action(async (positional: string | undefined, options: GraphOptions) => {
      const file = topologyFile(positional, options);
      const { checkOutputPath, outputRulesFor } = await import('../io/output-path.js');
      const { formatOfOutput, sizeText } = await import('../io/output-format.js');
      const { UsageError } = await import('../io/errors.js');
      const rules = outputRulesFor(file === '-' ? '.' : file, { force: options.force, stdout: true });
      if (file === '-') delete rules.topology;
      let format: GraphFormat = options.format ?? 'mermaid';
      let what = 'Mermaid';
      if (options.output !== undefined) {
        checkOutputPath(options.output, rules);
        const chosen = formatOfOutput<GraphFormat>(options.output, BY_EXTENSION, 'gen graph');
        if (options.format !== undefined && options.format !== chosen.format) throw new UsageError(`--format ${options.format} does not match -o ${options.output} (${chosen.what}): leave out --format, the extension decides`);
        ({ format, what } = chosen);
      } else if (format === 'png') throw new UsageError('--format png writes binary data: name the file with -o FILE.png');
      const model = await cleanModel(file, 'nothing was drawn');
      if (!model) {
        setExit(1);
        return;
      }
      const { buildGraph } = await import('../graph/build.js');
      const graph = buildGraph(model);
      let output: string | Buffer;
      if (format === 'mermaid') {
        const { toMermaid } = await import('../graph/mermaid.js');
        output = toMermaid(graph);
      } else if (format === 'markdown') {
        const { graphMarkdown } = await import('../render/graph.js');
        output = graphMarkdown(model);
      } else {
        const { toDot } = await import('../graph/dot.js');
        output = toDot(graph);
        if (format === 'svg' || format === 'png') {
          const { drawWithDot } = await import('./graph-dot.js');
          const drawn = drawWithDot(output, format);
          if ('failure' in drawn) {
            process.stderr.write(`gen: ${drawn.failure}\n`);
            setExit(1);
            return;
          }
          output = format === 'svg' ? drawn.drawing.toString('utf8') : drawn.drawing;
        }
      }
      if (options.output !== undefined) {
        const { writeCheckedFile } = await import('../io/atomic-write.js');
        writeCheckedFile(checkOutputPath(options.output, rules), output, 0o644, options.force === true, options.output);
        process.stderr.write(`gen: wrote ${options.output} (${what}, ${sizeText(Buffer.byteLength(output))})\n`);
      } else process.stdout.write(output);
      setExit(0);
    });
}
