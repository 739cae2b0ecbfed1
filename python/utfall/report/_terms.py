"""The one table of terms: every label of the report in Swedish and English.

The Swedish terms follow the glossary of the domain notes (utfall, utfallskontrakt,
historisk jämförelsegrupp, förväntad kostnad, socialtjänstkostnad, vårddygn,
uppföljningsperiod, garantiåterbetalning, HVB, SiS, familjehem, jourhem, öppenvård).
A label missing in one language is an error caught by the tests, not a silent fallback.
"""

from __future__ import annotations

import re
from typing import Dict, Tuple

from ..errors import SpecError

#: key -> (Swedish, English). Texts with ``{}`` fields are formatted by the caller.
TERMS: Dict[str, Tuple[str, str]] = {
    # document
    "title": ("Utvärdering av utfallskontrakt", "Outcomes contract evaluation"),
    "subtitle": ("Faktiska mot förväntade socialtjänstkostnader", "Actual against expected social-services costs"),
    "generated": ("Skapad med utfall {version}, frö {seed}", "Made with utfall {version}, seed {seed}"),
    "contents": ("Innehåll", "Contents"),
    "range": ("{low} till {high}", "{low} to {high}"),
    "headline": ("Resultat i korthet", "The result in brief"),
    "headline_row": ("{h}: besparing {savings} ({label}: {interval}); {verdict}; {status}.",
                     "{h}: savings {savings} ({label}: {interval}); {verdict}; {status}."),
    "headline_row_point": ("{h}: besparing {savings}; {verdict}; {status}.",
                           "{h}: savings {savings}; {verdict}; {status}."),
    "break_even_reached": ("break-even nådd", "break-even reached"),
    "break_even_missed": ("break-even inte nådd", "break-even not reached"),
    # sections
    "sec_spec": ("Vad som utvärderades och hur", "What was evaluated and how"),
    "sec_cohort": ("Kohort och uppföljning", "Cohort and follow-up"),
    "sec_matching": ("Matchning och balans", "Matching and balance"),
    "sec_results": ("Förväntat mot faktiskt per uppföljningsperiod", "Expected against actual per horizon"),
    "sec_trajectory": ("Förlopp och break-even", "Trajectory and break-even"),
    "sec_concentration": ("Koncentration", "Concentration"),
    "sec_settlement": ("Avräkning och betalningsrisk", "Settlement and payment risk"),
    "sec_validity": ("Validitetskontroller", "Validity checks"),
    "sec_audit": ("Revision och reproduktion", "Audit and reproduction"),
    # specification in words
    "spec_outcome_cost": ("Utfallet är socialtjänstkostnaden (placeringar och öppenvård) i {base} års priser.",
                          "The outcome is the social-services cost (placements and outpatient care) in {base} prices."),
    "spec_outcome_care_days": ("Utfallet är antalet vårddygn.", "The outcome is the number of care days."),
    "spec_care_types": ("Vårdformer som räknas: {types}.", "Care types counted: {types}."),
    "spec_windows": ("Varje individ följs från sitt eget indexdatum över uppföljningsperioderna {horizons}; "
                     "fönstret är [index, index + period) och klipps vid datans slut.",
                     "Each individual is followed from their own index date over the horizons {horizons}; "
                     "the window is [index, index + horizon) and is clipped at the end of data."),
    "spec_matched": ("Förväntad kostnad: medelvärdet av de matchade individernas kostnader i den historiska "
                     "jämförelsegruppen, över deras egna fönster. Matchning {ratio}:1 närmaste granne på {distance}"
                     "{replace}{caliper}, på {covariates}, med historik {lookback} före indexdatum; matchningen görs "
                     "om vid varje uppföljningsperiod bland de historiska individer som har hela perioden.",
                     "Expected cost: the mean of the matched historical comparison individuals' costs over their own "
                     "windows. {ratio}:1 nearest-neighbour matching on {distance}{replace}{caliper}, on {covariates}, "
                     "with {lookback} of history before the index date; the matching is redone at each horizon among "
                     "the historical individuals whose follow-up covers it."),
    "spec_stratum": ("Förväntad kostnad: medelvärdet över alla historiska individer i deltagarens stratum ({strata}).",
                     "Expected cost: the mean over every historical individual in the participant's stratum "
                     "({strata})."),
    "spec_given": ("Förväntad kostnad: medelvärdet över givna jämförelsepar.",
                   "Expected cost: the mean over given comparison pairs."),
    "with_replacement": (", med återläggning", ", with replacement"),
    "caliper": (", caliper {c} standardavvikelser", ", caliper {c} standard deviations"),
    "propensity": ("propensity score (logit)", "the propensity score (logit)"),
    "spec_savings": ("Besparing = förväntad - faktisk kostnad (positiv: deltagarna kostade mindre än förväntat), "
                     "summerad över deltagarna.",
                     "Savings = expected - actual cost (positive: the participants cost less than expected), "
                     "summed over the participants."),
    "spec_partial_observed": ("Deltagare utan hel uppföljning jämförs över den observerade delen (jämförelsefönstren "
                              "kortas lika mycket); resultatet är då preliminärt.",
                              "Participants without complete follow-up are compared over the part observed (the "
                              "comparison windows are cut to the same length); the result is then preliminary."),
    "spec_partial_complete": ("Deltagare utan hel uppföljning lämnas utanför.",
                              "Participants without complete follow-up are left out."),
    "spec_bootstrap": ("Intervall: {method}, {level} %, från {n} bootstrap-omdragningar av deltagarna med sina "
                       "jämförelseindivider.",
                       "Interval: {method}, {level}%, from {n} bootstrap resamples of the participants with "
                       "their comparison individuals."),
    "spec_cost": ("Interventionens kostnad: {cost}.", "Intervention cost: {cost}."),
    # cohort
    "participants": ("deltagare", "participants"),
    "historical": ("historiska individer", "historical individuals"),
    "cohort_intro": ("{p} deltagare och {h} historiska individer; data till och med {end}.",
                     "{p} participants and {h} historical individuals; data up to {end}."),
    "horizon": ("period", "horizon"),
    "n": ("antal", "n"),
    "complete": ("hel uppföljning", "complete"),
    "included": ("ingår", "included"),
    "excluded": ("utesluten", "excluded"),
    "reason": ("skäl", "reason"),
    "pool": ("historiska med hel period", "historical with the whole horizon"),
    "reason_incomplete": ("uppföljningen inte hel (partial=\"complete\")",
                          "follow-up not complete (partial=\"complete\")"),
    "reason_no_comparison": ("ingen jämförelseindivid", "no comparison individual"),
    "preliminary_note": ("{k} av {n} deltagare har hel uppföljning vid {h}; de övriga jämförs över den observerade "
                         "delen.", "{k} of {n} participants have complete follow-up at {h}; the others are compared "
                         "over the part observed."),
    "ratio_not_filled": ("färre jämförelseindivider än kvoten (ingår)", "fewer comparisons than the ratio (included)"),
    "outside_observation": ("{e} vårdepisoder och {c} kostnadsrader efter individens slut på data räknades inte.",
                            "{e} episodes and {c} ledger rows after their individual's end of data were not counted."),
    "no_exclusions": ("Ingen deltagare uteslöts.", "No participant was excluded."),
    # matching
    "balance_bar": ("Balanskravet: standardiserad medelvärdesskillnad (SMD) under {bar} i absolutvärde efter "
                    "matchning.", "The balance bar: an absolute standardised mean difference (SMD) below {bar} "
                    "after matching."),
    "balance_all_meet": ("Vid {h} klarar alla {k} kovariater kravet.", "At {h} all {k} covariates meet it."),
    "balance_misses": ("Vid {h} klarar {m} av {k} kovariater inte kravet: {names}. Skillnaden i dessa kvarstår och "
                       "kan påverka den förväntade kostnaden; läs resultatet med det i åtanke.",
                       "At {h}, {m} of {k} covariates miss it: {names}. The difference in these remains and may "
                       "bias the expected cost; read the result with that in mind."),
    "covariate": ("kovariat", "covariate"),
    "smd_before": ("SMD före", "SMD before"),
    "smd_after": ("SMD efter", "SMD after"),
    "meets_bar": ("klarar kravet", "meets the bar"),
    "yes": ("ja", "yes"),
    "no": ("nej", "no"),
    "no_matching": ("Ingen matchning (estimatorn matchar inte).", "No matching (the estimator does not match)."),
    "fig_balance": ("Balans vid {h}: SMD före och efter matchning", "Balance at {h}: SMD before and after matching"),
    # results
    "expected": ("förväntad kostnad", "expected cost"),
    "actual": ("faktisk kostnad", "actual cost"),
    "savings": ("besparing", "savings"),
    "interval": ("{level} %-intervall ({method})", "{level}% interval ({method})"),
    "intervention_cost": ("interventionens kostnad", "intervention cost"),
    "net_savings": ("besparing netto", "net savings"),
    "break_even": ("break-even: högsta faktiska kostnad", "break-even actual cost"),
    "p_positive": ("P(besparing > 0)", "P(savings > 0)"),
    "p_cover": ("P(besparing > interventionens kostnad)", "P(savings > intervention cost)"),
    "payback": ("återbetalningsmånad", "payback month"),
    "status": ("status", "status"),
    "final": ("slutlig", "final"),
    "preliminary": ("preliminär", "preliminary"),
    "status_preliminary": ("preliminär, {k} av {n} med hel uppföljning", "preliminary, {k} of {n} complete"),
    "not_within": ("inte inom perioden", "not within the horizon"),
    "not_available": ("saknas", "n/a"),
    "results_note": ("Faktisk kostnad räknas över de deltagare som ingår vid varje period, med samma konvention "
                     "som den förväntade.", "The actual cost is summed over the participants included at each "
                     "horizon, with the same convention as the expected cost."),
    "by_part": ("Per del av utfallet vid {h}", "By part of the outcome at {h}"),
    "part": ("del", "part"),
    "fig_differences": ("Besparing per deltagare vid {h}", "Savings per participant at {h}"),
    "fig_differences_grouped": ("Besparing per grupp om minst {k} deltagare vid {h}",
                                "Savings per group of at least {k} participants at {h}"),
    # trajectory
    "trajectory_relation": ("Förloppet visar den kumulativa kostnaden månad för månad för den längsta perioden, "
                            "{h}, med jämförelsegruppen matchad för den perioden. Resultatet för en kortare period "
                            "matchas om bland de historiska individer som har just den perioden (poolen är större), "
                            "så förloppets värde vid månad {m} behöver inte vara lika med resultatet för {short}: "
                            "per-periodsresultaten är de som avräknas.",
                            "The trajectory is the cumulative cost month by month for the longest horizon, {h}, "
                            "with the comparison group matched for that horizon. The result for a shorter horizon "
                            "is matched again among the historical individuals who have that horizon (a larger "
                            "pool), so the trajectory at month {m} need not equal the {short} result: the "
                            "per-horizon results are the ones settled."),
    "payback_text": ("Besparingen täcker interventionens kostnad från månad {m}.",
                     "The savings cover the intervention cost from month {m}."),
    "no_payback_text": ("Besparingen täcker inte interventionens kostnad inom {h} (break-even nås inte).",
                        "The savings do not cover the intervention cost within {h} (no break-even)."),
    "fig_trajectory": ("Kumulativ kostnad, {h}", "Cumulative cost, {h}"),
    "month": ("månad", "month"),
    # concentration
    "concentration_intro": ("Hur ojämnt deltagarnas faktiska kostnad vid {h} fördelas (n = {n}).",
                            "How unequally the participants' actual cost at {h} is spread (n = {n})."),
    "top_share": ("de {p} % dyraste står för", "the {p}% most costly hold"),
    "gini": ("Gini-koefficient", "Gini coefficient"),
    "measure": ("mått", "measure"),
    "estimate": ("skattning", "estimate"),
    "fig_lorenz": ("Lorenzkurva för faktisk kostnad, {h}", "Lorenz curve of the actual cost, {h}"),
    # settlement / validity hooks
    "settlement_none": ("Inget kontrakt gavs; ingen avräkning.", "No contract was given; no settlement."),
    "settlement_intro": ("{name} avräknat vid {h}: totalt {total}.", "{name} settled at {h}: total {total}."),
    "risk": ("Betalning under osäkerhet", "Payment under uncertainty"),
    "validity_none": ("Inga validitetskontroller kördes.", "No validity checks were run."),
    # audit
    "version": ("utfall-version", "utfall version"),
    "seed": ("frö", "seed"),
    "spec_hash": ("specifikationens fingeravtryck (SHA-256)", "specification fingerprint (SHA-256)"),
    "table": ("tabell", "table"),
    "fingerprint": ("fingeravtryck (SHA-256)", "fingerprint (SHA-256)"),
    "reproduce_text": ("Spara revisionsposten med evaluation.to_json(path, key=key): den bär pseudonymer under "
                       "kommunens nyckel i stället för personnummer, inga datum för enskilda och inga antal under "
                       "fem. Med nyckeln och samma data körs den om siffra för siffra:",
                       "Save the audit record with evaluation.to_json(path, key=key): it carries pseudonyms under "
                       "the municipality's key instead of personal identity numbers, no dates of individuals and "
                       "no counts below five. With the key and the same data it re-runs digit for digit:"),
    "suppressed_note": ("Antal under {t} individer visas som {marker}; ett antal ur vilket ett sådant kunde räknas "
                        "fram visas som {secondary} (sekundär röjandekontroll, utfall.privacy).",
                        "Counts below {t} individuals show as {marker}; a count from which such a count could be "
                        "derived shows as {secondary} (secondary suppression, utfall.privacy)."),
    "msek": ("mnkr", "MSEK"),
    "sek": ("kr", "SEK"),
    "days": ("dagar", "days"),
}

#: Row and column labels of the tables that hooks give (Settlement, PaymentRisk), English -> Swedish.
TABLE_LABELS_SV: Dict[str, str] = {
    "tranche": "del", "metric": "mått", "metric value": "värde", "condition": "villkor", "met": "uppfyllt",
    "amount (SEK)": "belopp (kr)", "guarantee": "garantiåterbetalning",
    "conditional repayment": "villkorad återbetalning",
    "return": "avkastning", "total paid": "totalt utbetalt", "investor's profit": "investerarens vinst",
    "measure": "mått", "value": "värde", "replicates": "replikat", "expected payment (SEK)": "förväntad betalning (kr)",
    "P(investor loses money)": "P(investeraren förlorar pengar)", "P(total > guarantee)": "P(totalt > garanti)",
    "value of the guarantee (SEK)": "garantins värde (kr)", "top-up to maximum loss": "påfyllnad till högsta förlust",
    "check": "kontroll", "passed": "godkänd",
}
_QUANTILE = re.compile(r"(\d+)% quantile \(SEK\)")
_PAID = re.compile(r"P\((.+) paid\)")
_NET = re.compile(r"(.+)'s net cost")


def table_label(text: str, language: str) -> str:
    """A hook table's label in ``language`` (labels it does not know stay as given).

    Examples
    --------
    >>> table_label("5% quantile (SEK)", "sv"), table_label("P(return paid)", "sv")
    ('5 %-kvantil (kr)', 'P(avkastning betalas)')
    """
    if language == "en":
        return text
    if text in TABLE_LABELS_SV:
        return TABLE_LABELS_SV[text]
    for pattern, form in ((_QUANTILE, "{} %-kvantil (kr)"), (_PAID, "P({} betalas)"), (_NET, "{}: nettokostnad")):
        found = pattern.fullmatch(text)
        if found:
            inner = found.group(1)
            return form.format(TABLE_LABELS_SV.get(inner, inner))
    return text


#: The validity table's columns (``Evaluation.validity()``): key -> (Swedish, English); amounts in SEK.
VALIDITY_COLUMNS: Dict[str, Tuple[str, str]] = {
    "savings_total": ("besparing", "savings"),
    "savings_low": ("besparing, undre gräns", "savings, lower bound"),
    "savings_high": ("besparing, övre gräns", "savings, upper bound"),
    "pre_difference": ("skillnad före index (jämförelse - deltagare)",
                       "difference before index (comparison - participants)"),
    "pre_low": ("skillnad före index, undre gräns", "difference before index, lower bound"),
    "pre_high": ("skillnad före index, övre gräns", "difference before index, upper bound"),
    "drift_total": ("placebo i tid: drift", "placebo in time: drift"),
    "drift_sd": ("placebo i tid: standardavvikelse", "placebo in time: standard deviation"),
    "savings_net_of_drift": ("besparing netto efter drift", "savings net of the drift"),
    "p_placebo": ("placebo: andel minst lika stor besparing", "placebo: share with savings at least as large"),
    "gamma_savings": ("Gamma där \"besparing > 0\" upphör", "Gamma at which \"savings > 0\" stops holding"),
    "gamma_overspend": ("Gamma där \"besparing < 0\" upphör", "Gamma at which \"savings < 0\" stops holding"),
    "savings_low_at_gamma": ("besparing vid Gamma, undre gräns", "savings at Gamma, lower bound"),
    "savings_high_at_gamma": ("besparing vid Gamma, övre gräns", "savings at Gamma, upper bound"),
    "e_value": ("E-värde", "E-value"),
    "e_value_limit": ("E-värde, intervallets gräns", "E-value of the interval's limit"),
    "notes": ("anmärkningar", "notes"),
}
VALIDITY_AMOUNTS = {"savings_total", "savings_low", "savings_high", "pre_difference", "pre_low", "pre_high",
                    "drift_total", "drift_sd", "savings_net_of_drift", "savings_low_at_gamma",
                    "savings_high_at_gamma"}

LANGUAGES = ("sv", "en")


def term(key: str, language: str, **fields: object) -> str:
    """The label ``key`` in ``language`` ("sv" or "en"), with ``fields`` filled in.

    Examples
    --------
    >>> term("savings", "sv"), term("savings", "en")
    ('besparing', 'savings')
    """
    if language not in LANGUAGES:
        raise SpecError(f"language must be one of {LANGUAGES}, not {language!r}")
    text = TERMS[key][LANGUAGES.index(language)]
    return text.format(**fields) if fields else text
