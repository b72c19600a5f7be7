"""FSM: states and the transition table; pure, imports nothing of ours."""
