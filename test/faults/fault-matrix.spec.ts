import { matrixTests } from './matrix-runner.js';
import { runScenario } from './run-scenario.js';
import { scenarios } from './scenarios.js';

describe('fault matrix: SupervisedConnection over real sockets (TestExchange behind a FaultProxy)', () => {
  matrixTests(scenarios, (scenario, logger) => runScenario(scenario, { logger }));
});
