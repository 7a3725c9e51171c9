/** The pause reasons an agent picks from (sent as pauseAgent's `reason`; shown on the wallboard). */
export const PAUSE_REASONS = ['Break', 'Lunch', 'Meeting', 'Training', 'Back office'] as const;
