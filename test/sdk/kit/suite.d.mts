type Hook = (fn: () => unknown) => unknown;

/** The runner's functions the suite registers its tests with. */
export interface Runner {
  describe: (name: string, fn: () => void) => unknown;
  test: (name: string, fn: () => Promise<void>) => unknown;
  before: Hook;
  after: Hook;
}

export function kitSuite(runner: Runner, app: { startIvr: () => Promise<{ url: string; close(): Promise<unknown> }> }): void;
