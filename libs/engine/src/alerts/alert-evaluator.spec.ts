// No alert storm: one warning per condition until it clears; an undelivered one is offered again.
import { AlertEvaluator } from './alert-evaluator';
import type { AlertCondition } from './alert-rules';

const T = Date.UTC(2026, 0, 1);
const condition = (active: boolean): AlertCondition => ({ key: 'RECOVERY_RATE:p', code: 'RECOVERY_RATE', portal: 'p', active, message: 'm' });

describe('AlertEvaluator', () => {
  it('raises once while a condition stays active, and again only after it cleared', () => {
    const evaluator = new AlertEvaluator();
    const [first] = evaluator.evaluate([condition(true)], T);
    expect(first).toMatchObject({ level: 'warning', code: 'RECOVERY_RATE', portal: 'p', at: new Date(T).toISOString() });
    evaluator.markDelivered(first);
    for (let i = 1; i <= 100; i++) expect(evaluator.evaluate([condition(true)], T + i)).toEqual([]);
    expect(evaluator.evaluate([condition(false)], T + 200)).toEqual([]);
    expect(evaluator.active()).toEqual([]);
    const [second] = evaluator.evaluate([condition(true)], T + 300);
    expect(second.id).not.toBe(first.id);
  });

  it('offers an undelivered alert again with the same id', () => {
    const evaluator = new AlertEvaluator();
    const [first] = evaluator.evaluate([condition(true)], T);
    const [again] = evaluator.evaluate([condition(true)], T + 1);
    expect(again).toEqual(first);
    evaluator.markDelivered(again);
    expect(evaluator.evaluate([condition(true)], T + 2)).toEqual([]);
  });
});
