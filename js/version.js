// The package's version, for the browser (which cannot read package.json): the
// engine worker's name and the tabs' hello carry it, so that after a deploy new
// tabs start a new worker instead of attaching to the old release's one. A test
// (tests/js/worker_mode.test.js) checks that it equals package.json's version.
export const VERSION = '0.1.0';
