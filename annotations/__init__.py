"""The fact-check desk app: articles, annotations, verdicts, source checks and exports."""
