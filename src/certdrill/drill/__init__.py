"""Drilling: grading an answer, the study session and the mock exam as pure state machines."""
