"""The PRIMAS questionnaire: form definitions as data, conditions and the journey. Pure code."""
