"""Green Light Services gravity model: features, training, evaluation and registry."""
