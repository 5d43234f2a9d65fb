// Library entry: start a server in-process, or point the official SDK at one.
export { startServer, type RunningServer } from './server.ts';
export { resolveConfig, type Config } from './config.ts';
export { switchboardClient, switchboardPhloClient, pointPlivoAt } from './sdk/point.ts';
