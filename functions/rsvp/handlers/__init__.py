"""Lambda entry points: event in, one service call, log out."""
