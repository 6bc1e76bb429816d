// `ds01-events completion`: the bash completion script, with its word lists
// taken from what the CLI itself says: the commands of `ds01-events --help`,
// the options shown with a value (so the word after one is not read as a command),
// each command's options from its own --help (so a new option is completed as
// soon as it is documented), and the registry's event types and spellings.
// The man page (tools/man-page.ts) is built from the same description.
import { canonicalEventType, EVENT_TYPES, eventTypeAliases } from '../event/index.js'

type Command = (args: string[]) => number | Promise<number>

export interface CommandDoc {
  name: string
  summary: string
  help: string
  options: string[]
  /** `gpu status`, `gpu usage`...: words after the command, each with its own help. */
  subcommands: CommandDoc[]
}

export interface CliDoc {
  main: string
  commands: CommandDoc[]
}

// Help reached through an option rather than a subcommand: setup's variants.
const VARIANTS: Record<string, string[][]> = {
  setup: [['--forward', 'HOST', '--help'], ['--central', '--help'], ['--uninstall', '--help']]
}

/** What a command prints for these arguments, stdout only (help texts). */
async function captured(run: () => number | Promise<number>): Promise<string> {
  let text = ''
  const write = process.stdout.write
  const stderr = process.stderr.write
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    return true
  }) as typeof process.stdout.write
  process.stderr.write = (() => true) as typeof process.stderr.write
  try {
    await run()
  } catch {
    // a command that cannot show help here has nothing to add
  } finally {
    process.stdout.write = write
    process.stderr.write = stderr
  }
  return text
}

/** The long and short options a help text names, in order of first mention. */
export function optionsOf(help: string): string[] {
  const found = new Set<string>()
  for (const m of help.matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])/g)) found.add(m[1] as string)
  return [...found]
}

// An option shown with its value: `--file PATH`, `--month 2026-11`, `--by user|gpu`, `--where KEY=VALUE`,
// `--forward HOST[:PORT]`, `-n, --limit N` (the short one too).
const WITH_VALUE = /(?<![\w-])((?:-[a-zA-Z], )?)(--[a-z][a-z0-9-]*|-[a-zA-Z])[ =](?:[A-Z][A-Z0-9_.:,=@/-]*|[a-z0-9.]+(?:\|[a-z0-9.]+)+|\d[\w.:-]*)(?=[\s,\])[]|$)/gm

/** The options a help text shows taking a value (the word after them is that value, not a command). */
export function valueOptionsOf(help: string): string[] {
  const found = new Set<string>()
  for (const m of help.matchAll(WITH_VALUE)) {
    if (m[1] !== '') found.add((m[1] as string).slice(0, 2))
    found.add(m[2] as string)
  }
  return [...found]
}

/** Words that stand right after `ds01-events NAME` in a usage line: NAME's subcommands. */
function subcommandsOf(name: string, help: string): string[] {
  const found = new Set<string>()
  const pattern = new RegExp(`ds01-events ${name} ([a-z][a-z0-9-]*)\\b`, 'g')
  for (const m of help.matchAll(pattern)) found.add(m[1] as string)
  return [...found]
}

/** The one-line summaries of the main help's "Commands:" list. */
function summaries(main: string): Map<string, string> {
  const out = new Map<string, string>()
  const start = main.indexOf('Commands:')
  if (start < 0) return out
  for (const line of main.slice(start).split('\n').slice(1)) {
    const m = /^ {2}([a-z][a-z0-9-]*) +(.*)$/.exec(line)
    if (m === null) {
      if (line.trim() === '') break
      continue
    }
    out.set(m[1] as string, m[2] as string)
  }
  return out
}

/** Every command with its help, options and subcommands, as the CLI describes itself. */
export async function describeCli(commands: Record<string, () => Command>): Promise<CliDoc> {
  const help = commands.help?.()
  const main = help === undefined ? '' : await captured(() => help([]))
  const lines = summaries(main)
  const docs: CommandDoc[] = []
  for (const name of Object.keys(commands)) {
    if (name === 'help') continue
    const run = (commands[name] as () => Command)()
    let text = await captured(() => run(['--help']))
    for (const variant of VARIANTS[name] ?? []) text += '\n' + await captured(() => run(variant))
    const subcommands: CommandDoc[] = []
    for (const sub of subcommandsOf(name, text)) {
      const subHelp = await captured(() => run([sub, '--help']))
      subcommands.push({ name: sub, summary: '', help: subHelp, options: optionsOf(subHelp), subcommands: [] })
    }
    docs.push({ name, summary: lines.get(name) ?? '', help: text, options: optionsOf(text), subcommands })
  }
  return { main, commands: docs }
}

/** Every registered type and every spelling in the field. */
export function typeNames(): string[] {
  return [...Object.keys(EVENT_TYPES), ...Object.keys(eventTypeAliases())].sort()
}

function bashWords(words: Iterable<string>): string {
  return [...words].join(' ')
}

/** The bash completion script for this description. */
export function bashCompletion(doc: CliDoc): string {
  const commandCases = doc.commands.map((c) => {
    const subs = c.subcommands.map((s) => `        ${s.name}) opts='${bashWords(s.options)}' ;;`).join('\n')
    return `    ${c.name})
      subs='${bashWords(c.subcommands.map((s) => s.name))}'
      opts='${bashWords(c.options)}'
      case "$sub" in
${subs}
      esac ;;`
  }).join('\n')
  const fieldCases = Object.entries(EVENT_TYPES).map(([type, info]) => `    ${type}) fields='${bashWords(['user', 'source', ...Object.keys(info.fields)].map((f) => `${f}=`))}' ;;`).join('\n')
  const queryOptions = doc.commands.find((c) => c.name === 'query')?.options ?? []
  const helps = doc.commands.flatMap((c) => [c.help, ...c.subcommands.map((s) => s.help)])
  const valueOptions = [...new Set(helps.flatMap(valueOptionsOf))].sort()
  return `# bash completion for ds01-events (generated by 'ds01-events completion'; regenerate after an upgrade)
# Install: ds01-events completion | sudo tee /usr/share/bash-completion/completions/ds01-events
# or, for one shell: source <(ds01-events completion)

_ds01_events_types='${bashWords(typeNames())}'

_ds01_events_fields() {
  local fields="user= source="
  case "$(_ds01_events_canonical "$1")" in
${fieldCases}
  esac
  printf '%s' "$fields"
}

_ds01_events_canonical() {
  case "$1" in
${Object.entries(eventTypeAliases()).map(([alias]) => `    ${alias}) printf '%s' '${canonicalEventType(alias)}' ;;`).join('\n')}
    *) printf '%s' "$1" ;;
  esac
}

_ds01_events() {
  local cur prev cmd="" sub="" positional=0 i word
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in
      -*) ;;
      *)
        case "\${COMP_WORDS[i-1]}" in
          ${valueOptions.join('|')}) continue ;;
        esac
        if [[ -z "$cmd" ]]; then cmd="$word"
        elif [[ -z "$sub" ]]; then sub="$word"
        fi
        positional=$((positional + 1)) ;;
    esac
  done
  case "$prev" in
    --type|--not-type) mapfile -t COMPREPLY < <(compgen -W "$_ds01_events_types" -- "$cur"); return ;;
    --user) mapfile -t COMPREPLY < <(compgen -u -- "$cur"); return ;;
    --group|--reader-group) mapfile -t COMPREPLY < <(compgen -g -- "$cur"); return ;;
    --file|--dir|--*-dir|--db-file|--archive|--cursor-file|--nvidia-smi) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --since|--until) mapfile -t COMPREPLY < <(compgen -W "today yesterday now" -- "$cur"); return ;;
  esac
  local subs="" opts=""
  case "$cmd" in
    "")
      if [[ "$cur" == -* ]]; then opts='--help --version ${bashWords(queryOptions)}'
      else mapfile -t COMPREPLY < <(compgen -W "${bashWords(doc.commands.map((c) => c.name))} help" -- "$cur"); return
      fi ;;
${commandCases}
  esac
  if [[ "$cur" == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
  elif [[ -n "$subs" && -z "$sub" ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
  elif [[ "$cmd" == log || "$cmd" == types ]] && [[ -z "$sub" ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$_ds01_events_types" -- "$cur")
  elif [[ "$cmd" == log ]]; then
    compopt -o nospace 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -W "$(_ds01_events_fields "$sub")" -- "$cur")
  fi
}
complete -F _ds01_events ds01-events
`
}

export function runCompletion(commands: Record<string, () => Command>): (args: string[]) => Promise<number> {
  return async (args) => {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(`Usage:
  ds01-events completion [bash]

Prints the bash completion script: commands, their options, the registry's event
types (and their spellings in the field), and after 'log TYPE' its detail fields.
Install it for everyone:
  ds01-events completion | sudo tee /usr/share/bash-completion/completions/ds01-events
or for this shell:
  source <(ds01-events completion)
`)
      return 0
    }
    if (args.length > 1 || (args.length === 1 && args[0] !== 'bash')) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require('./help.js') as typeof import('./help.js')).usageError('completion', `only bash is supported (got '${args.join(' ')}')`)
    }
    process.stdout.write(bashCompletion(await describeCli(commands)))
    return 0
  }
}
