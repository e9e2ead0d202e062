"""altcraft: the hand-written client layer over the generated ``altcraft_api`` package."""
