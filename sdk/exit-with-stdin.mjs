// Loaded (`node --import`) into a `switchboard serve` the testing kit starts
// where the kernel cannot tie the server's life to the test process (no
// util-linux setpriv: macOS, Windows, minimal Linux images): the kit hands the
// server a pipe as its stdin, and the system closes it when the test process
// dies, however it dies. The server then stops as on a SIGTERM; a server
// that does not finish stopping in 5 s is ended.
process.stdin.on('end', () => {
  setTimeout(() => process.exit(1), 5_000).unref();
  process.kill(process.pid, 'SIGTERM');
});
process.stdin.resume();
