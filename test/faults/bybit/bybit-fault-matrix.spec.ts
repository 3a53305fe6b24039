import { matrixTests, runMatrixRow } from '../matrix-runner.js';
import { BybitFaultHarness, FAULT_ACCOUNT } from './bybit-fault-harness.js';
import { bybitScenarios } from './bybit-scenarios.js';

describe('fault matrix, Bybit: two SupervisedConnections (linear, private) over real sockets (BybitTestExchange behind a FaultProxy)', () => {
  matrixTests(bybitScenarios, (scenario, logger) => runMatrixRow(scenario, (config) => BybitFaultHarness.start(config, logger)), {
    secret: FAULT_ACCOUNT.apiSecret,
  });
});
