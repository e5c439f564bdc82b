"""A bank: YAML files in, validated items out."""
