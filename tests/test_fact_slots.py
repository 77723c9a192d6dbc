"""What a sentence pins down, and when two wordings of one subject are one fact, a
conflict, or two facts (pipeline.reconcile.fact_slots, pipeline.reconcile.conflicts.judge_pair)."""

from __future__ import annotations

import pytest

from pipeline.reconcile.conflicts import judge_pair
from pipeline.reconcile.fact_slots import read_slots

SAME = [
    # the same advice with and without negation
    ("Keep using your preventer inhaler even when you feel well.",
     "Do not stop your preventer inhaler when you have no symptoms."),
    # the same amount in other units
    ("A fasting blood glucose of 5.5 mmol/L is normal.",
     "A fasting blood glucose of 100 mg/dL is normal."),
    ("A fever is a temperature of 38C or above.", "A fever is a temperature of 100.4F or higher."),
    ("Losing 5 kg can lower your blood pressure.", "Losing about 11 pounds lowers blood pressure."),
    ("Adults should not take more than 4 g of paracetamol a day.",
     "Adults should have no more than 4,000 mg of paracetamol in a day."),
    # a value inside the other side's range
    ("Take a dose every 4 to 6 hours.", "Take a dose every 6 hours."),
    # a bound is no negation
    ("Do not take more than 4 doses in 24 hours.", "You can take up to 4 doses in 24 hours."),
    # quantifiers that only differ in emphasis, and complementary lists
    ("Immunotherapy is used for some types of cancer.", "Immunotherapy is used for many cancers."),
    ("Side effects include a dry cough and dizziness.",
     "Side effects include swollen ankles, headaches and flushing."),
    # general vs specific population
    ("Do not give aspirin to children under 16.", "Never give aspirin to anyone under 16."),
]  # fmt: skip

CONFLICT = [
    ("Have your eyes checked every 2 years.", "Have your eyes checked every year.", "frequency"),
    ("Check your blood pressure at home twice a day.",
     "Check your blood pressure at home once a week.", "frequency"),
    ("You do not need to avoid fruit.", "Cut out fruit completely.", "negation"),
    ("ACE inhibitors are safe to take in pregnancy.",
     "ACE inhibitors must not be taken in pregnancy.", "negation"),
    ("High blood pressure starts at 140/90 mmHg.", "High blood pressure starts at 130/80 mmHg.",
     "number"),
    ("Take paracetamol every 4 hours.", "Take paracetamol every 8 hours.", "frequency"),
    ("A fever is a temperature of 38C or above.", "A fever is a temperature of 37C or above.",
     "number"),
]  # fmt: skip

DIFFERENT = [
    ("Children should be active for 60 minutes every day.",
     "Adults should be active for 150 minutes every week.", "population"),
    ("Your fasting target is 4 to 7 mmol/L.", "Your target after meals is under 9 mmol/L.",
     "condition"),
    ("At home, aim for a reading below 135/85.", "At the clinic, aim for below 140/90.",
     "condition"),
    ("Adults under 80 should aim for below 140/90.", "Adults over 80 should aim for below 150/90.",
     "population"),
    ("You must see a doctor about it.", "You may want to see a doctor about it.", "strength"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), SAME)
def test_the_same_fact_in_other_words_is_one_fact(a: str, b: str):
    assert judge_pair(a, b) == ("same", None)
    assert judge_pair(b, a) == ("same", None)


@pytest.mark.parametrize(("a", "b", "kind"), CONFLICT)
def test_incompatible_values_of_one_subject_conflict(a: str, b: str, kind: str):
    assert judge_pair(a, b) == ("conflict", kind)
    assert judge_pair(b, a) == ("conflict", kind)


@pytest.mark.parametrize(("a", "b", "kind"), DIFFERENT)
def test_other_groups_and_conditions_are_two_facts_never_a_conflict(a: str, b: str, kind: str):
    assert judge_pair(a, b) == ("different", kind)


def test_units_are_converted_to_one_amount():
    glucose = read_slots("A reading of 5.5 mmol/L of blood glucose.").amounts
    assert len(glucose) == 1 and glucose[0].low == pytest.approx(99.09, abs=0.1)
    salt = read_slots("Limit sodium to 2,300 mg a day.").amounts
    assert salt[0].low == pytest.approx(0.0023)  # kilograms: pint's base unit
    assert read_slots("Take it twice a day.").rates == ((2.0, 2.0),)
    assert read_slots("Check it every 4 to 6 hours.").rates == ((4.0, 6.0),)
