// A node:test reporter beside TAP (test/run.mjs): one JSON line per skipped
// test (its file, name and reason), one per failed test, and the run's totals,
// for the summary the runner prints at the end of a run.
export default async function * skipReporter (source) {
  for await (const event of source) {
    // the run's own totals (the TAP's closing "# pass N" lines)
    if (event.type === 'test:diagnostic' && event.data.nesting === 0) {
      const m = /^(pass|fail|skipped|todo|cancelled) (\d+)$/.exec(event.data.message)
      if (m !== null) yield JSON.stringify({ kind: 'total', what: m[1], count: Number(m[2]) }) + '\n'
      continue
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    const { name, file, skip, todo } = event.data
    // a file's own entry (its tests run in a subprocess) carries no reason of its own
    if (event.type === 'test:fail' && event.data.details?.error?.failureType === 'subtestsFailed') continue
    if (skip !== undefined && skip !== false) yield JSON.stringify({ kind: 'skip', file, name, reason: skip === true ? '' : String(skip) }) + '\n'
    else if (todo !== undefined && todo !== false) yield JSON.stringify({ kind: 'todo', file, name, reason: todo === true ? '' : String(todo) }) + '\n'
    else if (event.type === 'test:fail') yield JSON.stringify({ kind: 'fail', file, name }) + '\n'
  }
}
