"""Demo articles and the references they cite, written in the shapes declared in `editorial.demo.spec`."""

from editorial.demo.spec import C, DemoArticle, Ref, S

_PRAXIS = "Praxis Medical Insights: Practical Summaries of Clinical Guidelines"

REFERENCES: tuple[Ref, ...] = (
    # The five sources of the muscle-jerking article (the seed page gives no authors or identifiers).
    Ref(
        key="praxis-treatment",
        kind="guideline",
        title="Treatment for Involuntary Muscle Jerking",
        source=_PRAXIS,
        year=2025,
    ),
    Ref(
        key="praxis-myoclonus",
        kind="guideline",
        title="Myoclonus Characteristics and Diagnostic Considerations",
        source=_PRAXIS,
        year=2025,
    ),
    Ref(
        key="functional-jerks",
        kind="research",
        title="Functional jerks, tics, and paroxysmal movement disorders.",
        source="Handbook of clinical neurology",
        year=2016,
    ),
    Ref(
        key="topic-overview",
        kind="guideline",
        title="Guideline Directed Topic Overview",
        source="Dr.Oracle Medical Advisory Board & Editors",
        year=2025,
    ),
    Ref(
        key="spinal-myoclonus",
        kind="research",
        title="Involuntary jerking of lower half of the body (spinal myoclonus).",
        source="The Journal of the Association of Physicians of India",
        year=2005,
    ),
    # Essential tremor.
    Ref(
        key="et-aan-2011",
        kind="guideline",
        authors="Zesiewicz TA, Elble RJ, Louis ED, et al.",
        title=(
            "Evidence-based guideline update: treatment of essential tremor: report of the Quality Standards "
            "subcommittee of the American Academy of Neurology"
        ),
        source="Neurology",
        year=2011,
        volume="77",
        issue="19",
        pages="1752-1755",
        doi="10.1212/WNL.0b013e318236f0fd",
        pmid="22013182",
    ),
    Ref(
        key="et-bmj-2019",
        kind="review",
        authors="Shanker V",
        title="Essential tremor: diagnosis and management",
        source="BMJ",
        year=2019,
        volume="366",
        pages="l4485",
    ),
    # Restless legs syndrome.
    Ref(
        key="rls-aasm",
        kind="guideline",
        authors="Winkelman JW, Berkowski JA, DelRosso LM, et al.",
        title=(
            "Treatment of restless legs syndrome and periodic limb movement disorder: an American Academy of "
            "Sleep Medicine clinical practice guideline"
        ),
        source="Journal of Clinical Sleep Medicine",
        year=2025,
        volume="21",
        issue="1",
    ),
    Ref(
        key="rls-aan",
        kind="guideline",
        authors="Winkelman JW, Armstrong MJ, Allen RP, et al.",
        title=(
            "Practice guideline summary: treatment of restless legs syndrome in adults: report of the Guideline "
            "Development, Dissemination, and Implementation Subcommittee of the American Academy of Neurology"
        ),
        source="Neurology",
        year=2016,
        volume="87",
        issue="24",
        pages="2585-2593",
    ),
    # Nocturnal leg cramps.
    Ref(
        key="cramps-aan",
        kind="guideline",
        authors="Katzberg HD, Khan AH, So YT",
        title=(
            "Assessment: symptomatic treatment for muscle cramps (an evidence-based review): report of the "
            "Therapeutics and Technology Assessment Subcommittee of the American Academy of Neurology"
        ),
        source="Neurology",
        year=2010,
        volume="74",
        issue="8",
        pages="691-696",
    ),
    Ref(
        key="cramps-afp",
        kind="review",
        authors="Allen RE, Kirby KA",
        title="Nocturnal leg cramps",
        source="American Family Physician",
        year=2012,
        volume="86",
        issue="4",
    ),
    Ref(
        key="cramps-stretching",
        kind="clinical_trial",
        authors="Hallegraeff JM, van der Schans CP, de Ruiter R, de Greef MH",
        title=(
            "Stretching before sleep reduces the frequency and severity of nocturnal leg cramps in older adults: "
            "a randomised trial"
        ),
        source="Journal of Physiotherapy",
        year=2012,
        volume="58",
        issue="1",
        pages="17-22",
    ),
    # Tics.
    Ref(
        key="tics-aan",
        kind="guideline",
        authors="Pringsheim T, Okun MS, Müller-Vahl K, et al.",
        title=(
            "Practice guideline recommendations summary: treatment of tics in people with Tourette syndrome and "
            "chronic tic disorders"
        ),
        source="Neurology",
        year=2019,
        volume="92",
        issue="19",
        pages="896-906",
    ),
    Ref(
        key="tics-review",
        kind="systematic_review",
        authors="Pringsheim T, Holler-Managan Y, Okun MS, et al.",
        title=(
            "Comprehensive systematic review summary: treatment of tics in people with Tourette syndrome and "
            "chronic tic disorders"
        ),
        source="Neurology",
        year=2019,
        volume="92",
        issue="19",
        pages="907-915",
    ),
)

_TX = ("praxis-treatment",)
_MY = ("praxis-myoclonus",)
_FJ = ("functional-jerks",)
_OV = ("topic-overview",)
_SP = ("spinal-myoclonus",)

MUSCLE_JERKING = DemoArticle(
    title="What is the treatment for muscle jerking?",
    # Version 2: a fresh literature search for the first-line claim and a grade for the thought-
    # and-movement strategies, which version 1 left ungraded.
    revision=(
        C(
            "Clonazepam is the recommended starting treatment for the majority of myoclonus types.",
            grade="low; conditional for",
            searched_days_ago=5,
        ),
        C(
            "Tackling the unhelpful thoughts and preparatory movements that come before each jerk.",
            grade="low; conditional for",
            searched_days_ago=5,
        ),
    ),
    revision_note="New literature search on clonazepam as first-line treatment (no change to the advice); "
    "the advice on thoughts and movements before a jerk is now graded: low certainty, conditional.",
    topic="Neurology",
    state="approved",
    headline="Treatment of Muscle Jerking",
    authors=("author",),
    summary=C(
        "For most kinds of myoclonus, clonazepam gives the best results as the initial drug; "
        "the usual dose is 0.5–1 mg taken at night.",
        cites=_TX,
        grade="low; conditional for",
        searched_days_ago=40,
        plain="Clonazepam is usually the first medicine tried for sudden muscle jerks. Most people take 0.5 to 1 mg "
        "at night.",
    ),
    sections=(
        S(
            heading="Diagnosis and Classification",
            intro="Treatment should only begin once the jerks have been correctly identified.",
            claims=(
                C(
                    "Myoclonus means abrupt, short-lived movements the person does not intend, produced either by a "
                    "muscle contracting or by a brief lapse in muscle activity.",
                    cites=_TX + _MY,
                    plain="Myoclonus is a quick twitch or jerk of a muscle that you cannot control.",
                ),
                C(
                    "Other movement disorders have to be told apart, among them dystonia, seizures and tics, "
                    "the last of which the person can hold back for a while.",
                    cites=_MY + _FJ,
                ),
                C(
                    "Ask about provoking factors: emotions such as excitement or frustration, changes in posture, "
                    "sensory stimuli, or particular actions.",
                    cites=_MY,
                    grade="good practice",
                    plain="It helps to notice what sets the jerks off, such as strong feelings, changing position, "
                    "a noise or a touch.",
                ),
                C(
                    "Establish whether the jerks have an organic cause or are functional (psychogenic).",
                    cites=_FJ,
                    grade="good practice",
                    plain="Your doctor will work out whether the jerks come from disease or damage in the nervous "
                    "system, or from a problem in how the brain controls movement (a 'functional' disorder).",
                ),
            ),
        ),
        S(
            heading="Pharmacological Treatment",
            children=(
                S(
                    heading="First-Line Therapy",
                    claims=(
                        C(
                            "Clonazepam is the recommended starting treatment for the majority of myoclonus types.",
                            cites=_TX,
                            grade="low; conditional for",
                            searched_days_ago=400,
                            children=(
                                C(
                                    "Usual dose: 0.5–1 mg, taken at night.",
                                    cites=_TX,
                                ),
                                C(
                                    "Benefit generally becomes apparent during the first week.",
                                    cites=_TX,
                                    plain="Most people notice it helping within a week.",
                                ),
                                C(
                                    "If the patient has trouble falling asleep or feels drowsy in the morning, the "
                                    "dose can be moved earlier, to 1–2 hours ahead of bedtime.",
                                    cites=_TX,
                                    plain="If you struggle to fall asleep or feel sleepy in the morning, you can take "
                                    "it 1 to 2 hours before bed.",
                                ),
                            ),
                        ),
                    ),
                ),
                S(
                    heading="Alternative Medications",
                    claims=(
                        C(
                            "Options reported for functional jerks:",
                            cites=_OV + _SP,
                            children=(
                                C(
                                    "Broad relaxation methods, combined with strategies that anchor attention in the "
                                    "senses (grounding).",
                                    cites=_OV,
                                    grade="low; conditional for",
                                    searched_days_ago=40,
                                ),
                                C(
                                    "Tackling the unhelpful thoughts and preparatory movements that come before "
                                    "each jerk.",
                                    cites=_OV,
                                    plain="Learning to notice and change the thoughts and small movements that come "
                                    "just before a jerk.",
                                ),
                                C(
                                    "Improvement has been described in some patients given tizanidine, baclofen and "
                                    "clonazepam together.",
                                    cites=_SP,
                                    grade="very low",
                                    plain="Some people have improved on a mix of three medicines: tizanidine, "
                                    "baclofen and clonazepam.",
                                ),
                            ),
                        ),
                        C(
                            "Preferred drugs in paroxysmal kinesigenic dyskinesia (PKD):",
                            cites=_TX,
                            children=(
                                C(
                                    "Voltage-gated sodium channel blockers in low doses, with carbamazepine or "
                                    "oxcarbazepine as the usual choices.",
                                    cites=_TX,
                                    grade="moderate; strong for",
                                    searched_days_ago=40,
                                    plain="Low doses of carbamazepine or oxcarbazepine, medicines also used for "
                                    "epilepsy, are preferred.",
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        S(
            heading="Non-Pharmacological Approaches",
            children=(
                S(
                    heading="For Functional Jerks",
                    claims=(
                        C(
                            "Suggest slow, deliberate forms of movement, for example tai chi or yoga, to rebuild "
                            "control over movement.",
                            cites=_OV,
                            plain="Slow exercise such as tai chi or yoga can help you get back control of your "
                            "movements.",
                        ),
                        C(
                            "Teach progressive muscle relaxation or slow breathing from the diaphragm.",
                            cites=_OV,
                            plain="Deep breathing from the belly, or relaxing your muscles one group at a time, can "
                            "help.",
                        ),
                        C(
                            "Try grounding through the senses, for instance by paying attention to details in the "
                            "surroundings or handling objects with an interesting texture.",
                            cites=_OV,
                        ),
                        C(
                            "Mental distraction, such as singing or counting down from a number, can be used.",
                            cites=_OV,
                            plain="Keeping your mind busy, for example by singing or counting backwards, is worth "
                            "trying.",
                        ),
                        C(
                            "Have the person deliberately adopt a different, voluntary rhythm so that the pattern of "
                            "the jerks is broken.",
                            cites=_OV,
                        ),
                    ),
                ),
                S(
                    heading="For Tremor-Related Jerking",
                    claims=(
                        C(
                            "Help the patient loosen the muscles of the involved limb so that opposing muscles do not "
                            "tighten at the same time.",
                            cites=_OV,
                            plain="Letting the shaky arm or leg go loose, rather than holding it tight, can help.",
                        ),
                        C(
                            "Favour large, whole-limb movements over fine, precise ones, which demand more "
                            "concentration.",
                            cites=_OV,
                        ),
                        C(
                            "Advise against stiffening the muscles, or contracting opposing muscles together, as a "
                            "way of holding the tremor still.",
                            cites=_OV,
                        ),
                    ),
                ),
            ),
        ),
        S(
            heading="Special Clinical Scenarios",
            children=(
                S(
                    heading="Post-Hypoxic Myoclonus",
                    claims=(
                        C(
                            "When status myoclonus begins in the first 48 hours after a cardiac arrest the outlook is "
                            "generally poor, although some patients recover if treated appropriately.",
                            cites=_TX + _MY,
                            plain="Constant jerking that starts within two days of the heart stopping is usually a "
                            "bad sign, but some people still recover with the right care.",
                        ),
                        C(
                            "An EEG should be obtained to look for signs of awareness and reactivity.",
                            cites=_TX,
                            plain="A test of brain waves (EEG) helps show whether the person is aware and responding.",
                        ),
                        C(
                            "Where feasible, judge how severe the myoclonus is while the patient is off sedative "
                            "drugs.",
                            cites=_TX,
                        ),
                    ),
                ),
                S(
                    heading="Dystonia-Related Jerking",
                    claims=(
                        C(
                            "Promote good postural alignment both at rest and during everyday activities.",
                            cites=_OV,
                        ),
                        C(
                            "Encourage weight to be shared evenly when sitting, standing, walking and moving between "
                            "positions.",
                            cites=_OV,
                        ),
                        C(
                            "Gradually lengthen the time the involved limb takes part in daily tasks.",
                            cites=_OV,
                            plain="Slowly use the affected arm or leg for longer in everyday tasks.",
                        ),
                        C(
                            "Steer clear of positions that hold joints at the limit of their range for long periods.",
                            cites=_OV,
                        ),
                    ),
                ),
            ),
        ),
        S(
            heading="Follow-up and Monitoring",
            claims=(
                C(
                    "Review patients at regular intervals to check how well the treatment works and whether it "
                    "causes side effects.",
                    cites=_TX,
                    plain="You will need regular check-ups to see whether the treatment helps and to look for side "
                    "effects.",
                ),
                C(
                    "Tailor the dose to how well the patient responds and how well it is tolerated.",
                    cites=_TX,
                ),
                C(
                    "When an epileptic origin of the myoclonus is suspected, consider EEG monitoring.",
                    cites=_TX,
                ),
                C(
                    "In functional jerking, filming the patient (with consent) helps track how symptoms evolve and "
                    "shows that they can vary.",
                    cites=_OV,
                    plain="With your permission, videos of the jerks can show how they change over time.",
                ),
            ),
        ),
        S(
            heading="Caution Regarding Equipment and Aids",
            claims=(
                C(
                    "Aids and equipment seldom help people with functional neurological disorders.",
                    cites=_OV,
                    plain="Walking aids and other equipment usually do not help with functional movement problems.",
                ),
                C(
                    "A splint can keep ordinary movement and everyday use of the limb from returning.",
                    cites=_OV,
                ),
                C(
                    "Splints can focus the person's attention on the involved body part, encourage reliance on "
                    "accessory muscles and compensatory movements, and let the muscles lose condition.",
                    cites=_OV,
                    plain="A splint can make you focus more on the problem area and let your muscles get weaker.",
                ),
            ),
        ),
    ),
)

ESSENTIAL_TREMOR = DemoArticle(
    title="How is essential tremor treated?",
    topic="Neurology",
    state="under_review",
    headline="Treatment of Essential Tremor",
    summary=C(
        "When essential tremor needs treatment, propranolol and primidone are the established first-line drugs.",
        cites=("et-aan-2011", "et-bmj-2019"),
        plain="If the shaking needs treating, the first medicines tried are usually propranolol or primidone.",
    ),
    sections=(
        S(
            heading="Recognising Essential Tremor",
            claims=(
                C(
                    "Essential tremor is currently defined as an isolated action tremor of both arms that has been "
                    "present for at least three years.",
                    cites=("et-bmj-2019",),
                    plain="Essential tremor is shaking of both hands or arms during use, lasting three years or more, "
                    "with no other nerve problems.",
                ),
                C(
                    "The tremor may also involve other sites, most often the neck or the voice.",
                    cites=("et-bmj-2019",),
                ),
                C(
                    "Patients who also have other neurological signs are now classified as having 'essential tremor "
                    "plus'.",
                    cites=("et-bmj-2019",),
                ),
            ),
        ),
        S(
            heading="Treatment Options",
            claims=(
                C(
                    "Propranolol and primidone are established as effective in reducing limb tremor (Level A).",
                    cites=("et-aan-2011",),
                    plain="Two medicines, propranolol and primidone, have the best proof that they reduce the shaking.",
                ),
                C(
                    "Alprazolam, atenolol, gabapentin (on its own), sotalol and topiramate are probably effective "
                    "(Level B).",
                    cites=("et-aan-2011",),
                ),
                C(
                    "People whose tremor is severe are often offered deep brain stimulation.",
                    cites=("et-bmj-2019",),
                    plain="For very bad shaking, an operation that places a small stimulator in the brain is often "
                    "offered.",
                ),
                C(
                    "MRI-guided high-intensity focused ultrasound is a newer surgical alternative that may suit "
                    "patients with substantial other medical conditions.",
                    cites=("et-bmj-2019",),
                ),
            ),
        ),
    ),
)

RESTLESS_LEGS = DemoArticle(
    title="What helps restless legs syndrome?",
    topic="Sleep Medicine",
    state="submitted",
    headline="Managing Restless Legs Syndrome",
    summary=C(
        "Check iron status and treat any deficiency; when medication is needed, an alpha-2-delta ligand such as "
        "gabapentin or pregabalin is preferred.",
        cites=("rls-aasm",),
        plain="Your iron levels should be checked first. If a medicine is needed, gabapentin or pregabalin is "
        "usually preferred.",
    ),
    sections=(
        S(
            heading="First Steps",
            claims=(
                C(
                    "In everyone with clinically significant RLS, measure serum iron studies including ferritin and "
                    "transferrin saturation, ideally in the morning.",
                    cites=("rls-aasm",),
                    plain="A blood test for iron, best done in the morning, is recommended for everyone with "
                    "troublesome symptoms.",
                ),
                C(
                    "Look for and address factors that can aggravate symptoms, such as alcohol, caffeine, "
                    "antihistamines, serotonergic or dopamine-blocking drugs, and untreated obstructive sleep apnea.",
                    cites=("rls-aasm",),
                    plain="Alcohol, caffeine, some medicines and untreated sleep apnea can make symptoms worse.",
                ),
                C(
                    "Iron should be supplemented when iron stores are low; intravenous ferric carboxymaltose carries "
                    "a strong recommendation in patients with suitable iron parameters.",
                    cites=("rls-aasm",),
                ),
            ),
        ),
        S(
            heading="Medication and Other Treatments",
            claims=(
                C(
                    "Gabapentin, gabapentin enacarbil and pregabalin are strongly recommended for adults with RLS.",
                    cites=("rls-aasm",),
                ),
                C(
                    "Because of the risk of augmentation, a worsening of symptoms over time, the dopamine agonists "
                    "pramipexole, ropinirole and rotigotine are no longer suggested for standard use.",
                    cites=("rls-aasm", "rls-aan"),
                    plain="Some older medicines for restless legs can make symptoms worse over time, so they are now "
                    "used less.",
                ),
                C(
                    "Where a non-drug approach is wanted, pneumatic compression of the legs has moderate supporting "
                    "evidence (Level B).",
                    cites=("rls-aan",),
                ),
            ),
        ),
    ),
)

LEG_CRAMPS = DemoArticle(
    title="What can relieve nocturnal leg cramps?",
    topic="Sleep Medicine",
    state="changes_requested",
    headline="Relief of Nocturnal Leg Cramps",
    summary=C(
        "Evidence for any treatment of nocturnal leg cramps is limited; stretching is a reasonable first step, and "
        "quinine should not be used routinely.",
        cites=("cramps-afp", "cramps-aan"),
        plain="No treatment works for everyone. Stretching is a sensible start; quinine is no longer recommended as "
        "a routine treatment.",
    ),
    sections=(
        S(
            heading="Assessment",
            claims=(
                C(
                    "Up to 60 percent of adults report having had nocturnal leg cramps, which usually affect the "
                    "calf and can badly disturb sleep.",
                    cites=("cramps-afp",),
                    plain="Night-time leg cramps are very common, usually hit the calf, and can spoil sleep.",
                ),
                C(
                    "A history and physical examination are usually enough to tell cramps apart from restless legs "
                    "syndrome, claudication, myositis and peripheral neuropathy; tests are seldom needed.",
                    cites=("cramps-afp",),
                ),
                C(
                    "Drugs strongly associated with leg cramps include intravenous iron sucrose, conjugated "
                    "estrogens, raloxifene, naproxen and teriparatide.",
                    cites=("cramps-afp",),
                    plain="Some medicines can cause leg cramps, so your doctor may review what you take.",
                ),
            ),
        ),
        S(
            heading="Treatment",
            claims=(
                C(
                    "In a randomised trial in older adults, stretching the calf muscles before sleep reduced how often "
                    "and how severely cramps occurred.",
                    cites=("cramps-stretching",),
                    plain="Stretching your calves before bed made cramps less frequent and less painful in a study of "
                    "older adults.",
                ),
                C(
                    "Quinine derivatives are likely effective but should be avoided for routine use because of their "
                    "potential toxicity; in selected patients, once side effects have been weighed, an individual "
                    "trial may be considered.",
                    cites=("cramps-aan",),
                ),
                C(
                    "Vitamin B complex, naftidrofuryl and calcium channel blockers such as diltiazem are possibly "
                    "effective (Level C).",
                    cites=("cramps-aan",),
                ),
            ),
        ),
    ),
)

TICS = DemoArticle(
    title="When are tics treated with medication?",
    topic="Neurology",
    state="draft",
    headline="Medication for Tics",
    summary=C(
        "Whether to use medication is an individual decision: watchful waiting, behavioural therapy (CBIT) and "
        "medication are all options, weighed jointly by patient, caregiver and clinician.",
        cites=("tics-aan",),
        plain="Not every tic needs medicine. You, your family and your doctor decide together between waiting, "
        "behaviour therapy and medicine.",
    ),
    sections=(
        S(
            heading="Deciding Whether to Treat",
            claims=(
                C(
                    "Treatment should be individualised, balancing the benefits and harms of each option and taking "
                    "any coexisting conditions into account.",
                    cites=("tics-aan",),
                ),
                C(
                    "Counselling about the natural history of tic disorders, and psychoeducation for teachers and "
                    "peers, are recommended.",
                    cites=("tics-aan",),
                    plain="Learning how tics usually change over time, and explaining them to teachers and classmates, "
                    "is recommended.",
                ),
                C(
                    "Assess for coexisting disorders and periodically reassess whether ongoing therapy is still "
                    "needed.",
                    cites=("tics-aan",),
                ),
                C(
                    "Treatments can reduce tics but rarely make them disappear completely.",
                    cites=("tics-aan",),
                    plain="Treatment can make tics milder, but it seldom stops them altogether.",
                ),
            ),
        ),
        S(
            heading="Treatment Options",
            claims=(
                C(
                    "The Comprehensive Behavioral Intervention for Tics (CBIT) is more likely than psychoeducation and "
                    "supportive therapy to reduce tics (high confidence).",
                    cites=("tics-review",),
                    plain="A type of behaviour therapy called CBIT has the strongest evidence for reducing tics.",
                ),
                C(
                    "Haloperidol, risperidone, aripiprazole, tiapride and clonidine are probably more likely than "
                    "placebo to reduce tics (moderate confidence).",
                    cites=("tics-review",),
                ),
                C(
                    "Deep brain stimulation is considered only for adults with severe tics that have not responded to "
                    "other treatment.",
                    cites=("tics-aan",),
                ),
            ),
        ),
    ),
)

ARTICLES: tuple[DemoArticle, ...] = (MUSCLE_JERKING, ESSENTIAL_TREMOR, RESTLESS_LEGS, LEG_CRAMPS, TICS)
