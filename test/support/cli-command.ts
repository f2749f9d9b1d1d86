// How the tests start the real `tollgate` CLI: from dist/ when the test runner compiled it for this run
// (scripts/run-tests.mjs sets TOLLGATE_TEST_CLI=dist right after building it, so it is never stale), otherwise the
// TypeScript through tsx (a test file run on its own). The compiled CLI starts in about half the time.
export function cliCommand(): string[] {
  return process.env.TOLLGATE_TEST_CLI === 'dist' ? ['dist/cli/entry.js'] : ['--import', 'tsx', 'src/cli/entry.ts'];
}
