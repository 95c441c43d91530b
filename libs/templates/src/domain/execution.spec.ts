import { dec } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { exitActions, type ExitState } from './execution.js';

const exit = (
  conditionId: string,
  role: ExitState['role'],
  rung: number,
  amount: string,
  status: ExitState['status'] = 'armed',
): ExitState => ({
  conditionId,
  role,
  rung,
  amount: dec(amount),
  status,
});

describe('exitActions', () => {
  const ladder = [
    exit('stop', 'stop_loss', 0, '1'),
    exit('tp1', 'take_profit', 1, '0.5'),
    exit('tp2', 'take_profit', 2, '0.3'),
    exit('tp3', 'take_profit', 3, '0.2'),
  ];

  it('shrinks the shared stop to what is left after a rung sold, and moves it to break-even once', () => {
    const afterFirst = ladder.map((e) => (e.conditionId === 'tp1' ? { ...e, status: 'filled' as const } : e));
    const state = { received: dec(1), sold: dec('0.5'), breakEvenAfterFirstTarget: true, breakEvenMoved: false };
    expect(exitActions(state, afterFirst)).toEqual({
      closed: false,
      actions: [
        { kind: 'resize', conditionId: 'stop', amount: dec('0.5') },
        { kind: 'break-even', conditionId: 'stop' },
      ],
    });
    // Run again once both were done: nothing more to do.
    const done = afterFirst.map((e) => (e.conditionId === 'stop' ? { ...e, amount: dec('0.5') } : e));
    expect(exitActions({ ...state, breakEvenMoved: true }, done)).toEqual({ closed: false, actions: [] });
  });

  it('cancels every exit still armed once the stop sold, or once the targets sold everything', () => {
    const stopped = ladder.map((e) => (e.conditionId === 'stop' ? { ...e, status: 'filled' as const } : e));
    const state = { received: dec(1), sold: dec(1), breakEvenAfterFirstTarget: false, breakEvenMoved: false };
    expect(exitActions(state, stopped)).toEqual({
      closed: true,
      actions: ['tp1', 'tp2', 'tp3'].map((conditionId) => ({ kind: 'cancel', conditionId })),
    });
    const targetsDone = ladder.map((e) => (e.role === 'take_profit' ? { ...e, status: 'filled' as const } : e));
    expect(exitActions(state, targetsDone)).toEqual({ closed: true, actions: [{ kind: 'cancel', conditionId: 'stop' }] });
  });
});
