"""The learned detector: features, the linear model and its thresholds, what it cannot read,
training and cross-validation. Pure: no platform, store or LLM imports."""
