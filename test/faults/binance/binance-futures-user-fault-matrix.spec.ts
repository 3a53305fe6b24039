import { matrixTests, runMatrixRow } from '../matrix-runner.js';
import { FAULT_ACCOUNT } from './binance-fault-harness.js';
import { BinanceFuturesUserHarness } from './binance-futures-user-harness.js';
import { futuresUserScenarios } from './binance-futures-user-scenarios.js';

describe('fault matrix, Binance USDⓈ-M user data: a futures-user-data SupervisedConnection over real sockets (listenKey over REST, /private behind a FaultProxy)', () => {
  matrixTests(
    futuresUserScenarios,
    (scenario, logger) => runMatrixRow(scenario, (config) => BinanceFuturesUserHarness.start(config, logger)),
    { secret: FAULT_ACCOUNT.secretKey },
  );
});
