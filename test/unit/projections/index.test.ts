import { eventTypes } from '../../../src/domain/events';
import { allProjections, createProjections, projectionList } from '../../../projections';

describe('the projection registry', () => {
  it('has one view per name, each declaring known event types and a version', () => {
    const names = allProjections.map((p) => p.name);
    expect(names).toEqual([
      'proposalStatus',
      'influence',
      'participation',
      'committee',
      'traceIndex',
      'votes',
      'directory',
    ]);
    for (const p of allProjections) {
      expect(p.version).toBeGreaterThanOrEqual(1);
      expect(p.eventTypes.length).toBeGreaterThan(0);
      for (const t of p.eventTypes) expect(eventTypes).toContain(t);
      expect(new Set(p.eventTypes).size).toBe(p.eventTypes.length);
    }
  });

  it('starts every view from plain, empty JSON', () => {
    for (const p of allProjections) {
      const state = p.initialState();
      expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
      expect(p.initialState()).not.toBe(state); // a fresh object each time
    }
  });

  it("takes the citizens' initiative threshold from configuration, and refuses a nonsensical one", () => {
    const configured = createProjections({ citizenInitiativeThreshold: 150 });
    expect(configured.proposalStatus.initialState().threshold).toBe(150);
    expect(createProjections().proposalStatus.initialState().threshold).toBe(300);
    expect(projectionList(configured)).toHaveLength(7);
    expect(() => createProjections({ citizenInitiativeThreshold: 0 })).toThrow(RangeError);
    expect(() => createProjections({ citizenInitiativeThreshold: 2.5 })).toThrow(RangeError);
  });
});
