"""certdrill: spaced-repetition drills for cloud certification exams."""

__version__ = "0.1.0"
