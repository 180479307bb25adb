/**
 * The definitions of the built-in regimes, checked and frozen by `defineRegime` in `regimes.ts`,
 * which exports each one with its summary. Not legal advice: the deadlines are as written in the
 * cited texts, with the conservative reading where a text allows two.
 */
export const BUILT_IN_REGIME_DEFINITIONS = {
  gdpr: {
    id: 'gdpr',
    title: 'GDPR personal data breach notification',
    reference: 'Regulation (EU) 2016/679 (GDPR), Art. 33',
    jurisdiction: 'EU/EEA',
    url: 'https://eur-lex.europa.eu/eli/reg/2016/679/oj',
    phases: [
      {
        id: 'notification',
        title: 'Notification to the supervisory authority',
        reference: 'GDPR Art. 33(1)',
        description:
          'Without undue delay and, where feasible, not later than 72 hours after having become aware of the breach; a later notification is accompanied by reasons for the delay.',
        from: { trigger: 'awareness' },
        within: { amount: 72, unit: 'hours' },
        reasonForDelayWhenLate: true,
      },
    ],
    notes: [
      'Art. 33(1) exempts breaches unlikely to result in a risk to the rights and freedoms of natural persons; deciding that is yours.',
      'Art. 34 (communication to data subjects) is due "without undue delay" and has no fixed deadline, so it is not a phase.',
      'Counted as 72 elapsed hours. Regulation (EEC, Euratom) No 1182/71 Art. 3 would start the period at the next full hour; the earlier deadline is used.',
    ],
  },
  nis2: {
    id: 'nis2',
    title: 'NIS2 significant incident reporting',
    reference: 'Directive (EU) 2022/2555 (NIS2), Art. 23(4)',
    jurisdiction: 'EU (as transposed by each Member State)',
    url: 'https://eur-lex.europa.eu/eli/dir/2022/2555/oj',
    phases: [
      {
        id: 'earlyWarning',
        title: 'Early warning',
        reference: 'NIS2 Art. 23(4)(a)',
        description: 'Without undue delay and in any event within 24 hours of becoming aware of the significant incident.',
        from: { trigger: 'awareness' },
        within: { amount: 24, unit: 'hours' },
      },
      {
        id: 'notification',
        title: 'Incident notification',
        reference: 'NIS2 Art. 23(4)(b)',
        description: 'Without undue delay and in any event within 72 hours of becoming aware of the significant incident.',
        from: { trigger: 'awareness' },
        within: { amount: 72, unit: 'hours' },
      },
      {
        id: 'finalReport',
        title: 'Final report',
        reference: 'NIS2 Art. 23(4)(d)',
        description: 'Not later than one month after the submission of the incident notification.',
        from: { phase: 'notification', filing: 'first' },
        within: { amount: 1, unit: 'months' },
      },
    ],
    notes: [
      'Trust service providers must notify within 24 hours (Art. 23(4)(b), second subparagraph); define your own regime for that.',
      'Intermediate reports on request (Art. 23(4)(c)) and progress reports for ongoing incidents (Art. 23(4)(e)) have no fixed deadline here.',
      'NIS2 is a directive: check the national transposition that applies to you.',
    ],
  },
  dora: {
    id: 'dora',
    title: 'DORA major ICT-related incident reporting',
    reference: 'Regulation (EU) 2022/2554 (DORA), Art. 19(4); Commission Delegated Regulation (EU) 2025/301, Art. 5',
    jurisdiction: 'EU financial sector',
    url: 'https://eur-lex.europa.eu/eli/reg_del/2025/301/oj',
    phases: [
      {
        id: 'initial',
        title: 'Initial notification',
        reference: 'DORA Art. 19(4)(a); RTS (EU) 2025/301 Art. 5(1)(a) and 5(2)',
        description:
          'As early as possible within 4 hours from classification of the incident as major, but no later than 24 hours from becoming aware of it. Classified as major only after 24 hours: within 4 hours of classification.',
        from: { trigger: 'classification' },
        within: { amount: 4, unit: 'hours' },
        notLaterThan: { from: { trigger: 'awareness' }, within: { amount: 24, unit: 'hours' } },
      },
      {
        id: 'intermediate',
        title: 'Intermediate report',
        reference: 'DORA Art. 19(4)(b); RTS (EU) 2025/301 Art. 5(1)(b)',
        description: 'Within 72 hours from the submission of the initial notification, even if the status or handling has not changed.',
        from: { phase: 'initial', filing: 'first' },
        within: { amount: 72, unit: 'hours' },
      },
      {
        id: 'final',
        title: 'Final report',
        reference: 'DORA Art. 19(4)(c); RTS (EU) 2025/301 Art. 5(1)(c)',
        description:
          'No later than one month from the submission of the latest updated intermediate report. File each updated intermediate report as another filing of `intermediate`; the month counts from the latest.',
        from: { phase: 'intermediate', filing: 'latest' },
        within: { amount: 1, unit: 'months' },
      },
    ],
    notes: [
      'RTS 2025/301 lets some financial entities submit by noon of the next working day when a time limit falls on a weekend or bank holiday; that relief is not applied (the earlier deadline is shown).',
      'An updated intermediate report is due without undue delay once regular activities have been recovered; it has no fixed deadline here.',
    ],
  },
  sec8k: {
    id: 'sec8k',
    title: 'SEC Form 8-K Item 1.05: material cybersecurity incident',
    reference: 'Form 8-K Item 1.05 and General Instruction B.1; 17 CFR 240.13a-11; Regulation S-T Rule 13 (17 CFR 232.13)',
    jurisdiction: 'United States (SEC registrants)',
    url: 'https://www.sec.gov/files/form8-k.pdf',
    calendar: { timeZone: 'America/New_York' },
    phases: [
      {
        id: 'form8k',
        title: 'Form 8-K filing',
        reference: 'Form 8-K General Instruction B.1 and Item 1.05(a)',
        description:
          'Within four business days after the registrant determines that its cybersecurity incident is material. A determination on a weekend or holiday counts from the next business day. Filings after 5:30 p.m. Eastern are dated the next business day (Regulation S-T Rule 13(a)(2)).',
        from: { trigger: 'materialityDetermination' },
        within: { amount: 4, unit: 'businessDays', dayEndsAt: '17:30' },
      },
    ],
    notes: [
      'Business days exclude Saturdays, Sundays and federal holidays: pass the US federal holidays in the calendar (e.g. defineRegime({ ...sec8k, calendar: { timeZone: "America/New_York", holidays } })).',
      'A delay the Attorney General requests under Item 1.05(c) is not modelled.',
    ],
  },
  hipaa: {
    id: 'hipaa',
    title: 'HIPAA breach notification to individuals',
    reference: '45 CFR 164.404',
    jurisdiction: 'United States (covered entities)',
    url: 'https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-D/section-164.404',
    phases: [
      {
        id: 'individuals',
        title: 'Notice to affected individuals',
        reference: '45 CFR 164.404(b)',
        description:
          'Without unreasonable delay and in no case later than 60 calendar days after discovery of the breach (the first day it is known, or would have been known with reasonable diligence: 164.404(a)(2)).',
        from: { trigger: 'discovery' },
        within: { amount: 60, unit: 'calendarDays' },
      },
    ],
    notes: [
      'Media notice (164.406, breaches of more than 500 residents of a State) and notice to HHS (164.408) are not modelled.',
      'A law enforcement delay under 164.412 is not modelled.',
    ],
  },
  fdaMdr: {
    id: 'fdaMdr',
    title: 'FDA Medical Device Report (user facility)',
    reference: '21 CFR 803.30; "work day" as defined in 21 CFR 803.3',
    jurisdiction: 'United States (device user facilities)',
    url: 'https://www.ecfr.gov/current/title-21/chapter-I/subchapter-H/part-803',
    phases: [
      {
        id: 'report',
        title: 'MDR report (Form FDA 3500A)',
        reference: '21 CFR 803.30(a)(1)-(2)',
        description:
          'No later than 10 work days after the day you become aware of information that reasonably suggests a device has or may have caused or contributed to a death (report to FDA and the manufacturer) or serious injury (report to the manufacturer, or FDA if the manufacturer is unknown). Work days are Monday to Friday except federal holidays.',
        from: { trigger: 'awareness' },
        within: { amount: 10, unit: 'businessDays' },
      },
    ],
    notes: ['Pass the US federal holidays in the calendar.', 'The annual user facility report (803.33) is not modelled.'],
  },
  jointCommission: {
    id: 'jointCommission',
    title: 'The Joint Commission sentinel event: comprehensive systematic analysis and action plan',
    reference: 'The Joint Commission, Sentinel Event Policy (Comprehensive Accreditation Manual, chapter SE)',
    jurisdiction: 'Joint Commission-accredited organisations',
    url: 'https://www.jointcommission.org/resources/sentinel-event/',
    phases: [
      {
        id: 'rcaAndActionPlan',
        title: 'Comprehensive systematic analysis and corrective action plan',
        reference: 'Sentinel Event Policy, section on comprehensive systematic analysis',
        description: 'Within 45 business days of the event or of becoming aware of the event.',
        from: { trigger: 'awareness' },
        within: { amount: 45, unit: 'businessDays' },
      },
    ],
    notes: ['Reporting a sentinel event to The Joint Commission is encouraged, not required; it has no deadline here.'],
  },
  circia: {
    id: 'circia',
    title: 'CIRCIA covered cyber incident and ransom payment reporting to CISA',
    reference: 'Cyber Incident Reporting for Critical Infrastructure Act of 2022 (CIRCIA), 6 U.S.C. 681b(a); CISA rule implementing CIRCIA (proposed rule 89 FR 23644, April 4, 2024)',
    jurisdiction: 'United States (covered entities in critical infrastructure sectors)',
    url: 'https://www.law.cornell.edu/uscode/text/6/681b',
    phases: [
      {
        id: 'coveredIncident',
        title: 'Covered cyber incident report',
        reference: '6 U.S.C. 681b(a)(1)(A)',
        description: 'Not later than 72 hours after the covered entity reasonably believes that the covered cyber incident has occurred.',
        from: { trigger: 'reasonableBelief' },
        within: { amount: 72, unit: 'hours' },
      },
      {
        id: 'ransomPayment',
        title: 'Ransom payment report',
        reference: '6 U.S.C. 681b(a)(2)(A)',
        description: 'Not later than 24 hours after the ransom payment as the result of a ransomware attack has been made, even when the attack is not a covered cyber incident.',
        from: { trigger: 'ransomPayment' },
        within: { amount: 24, unit: 'hours' },
      },
      {
        id: 'supplementalRansomPayment',
        title: 'Supplemental report: ransom payment after the covered cyber incident report',
        reference: '6 U.S.C. 681b(a)(2)(A) and (a)(3)',
        description:
          'A ransom payment made after the covered cyber incident report was submitted is reported as a supplemental report, within 24 hours after the payment was made.',
        from: { trigger: 'ransomPaymentAfterReport' },
        within: { amount: 24, unit: 'hours' },
      },
    ],
    notes: [
      'Supplemental reports when substantial new or different information becomes available are due "promptly" (6 U.S.C. 681b(a)(3)), with no fixed deadline: file each as another filing of coveredIncident.',
      'A covered entity that pays a ransom related to a covered cyber incident may report both in one report: file it against both phases.',
      'The duty applies from the effective date of CISA\'s final rule; which entities are covered and which incidents are substantial is decided by that rule, not here.',
    ],
  },
  euAiAct: {
    id: 'euAiAct',
    title: 'EU AI Act serious incident reporting (high-risk AI systems)',
    reference: 'Regulation (EU) 2024/1689 (Artificial Intelligence Act), Art. 73',
    jurisdiction: 'EU',
    url: 'https://eur-lex.europa.eu/eli/reg/2024/1689/oj',
    phases: [
      {
        id: 'seriousIncident',
        title: 'Serious incident report to the market surveillance authority',
        reference: 'AI Act Art. 73(2)',
        description:
          'Immediately after the provider has established a causal link between the AI system and the serious incident or the reasonable likelihood of such a link, and in any event not later than 15 days after the provider or, where applicable, the deployer becomes aware of the serious incident.',
        from: { trigger: 'awareness' },
        within: { amount: 15, unit: 'calendarDays' },
      },
      {
        id: 'widespreadOrCriticalInfrastructure',
        title: 'Report of a widespread infringement or a serious incident involving critical infrastructure',
        reference: 'AI Act Art. 73(3)',
        description:
          'Immediately, and not later than 2 days after the provider or, where applicable, the deployer becomes aware of a widespread infringement or of a serious incident as defined in Art. 3(49)(b) (serious and irreversible disruption of the management or operation of critical infrastructure).',
        from: { trigger: 'widespreadOrCriticalInfrastructure' },
        within: { amount: 2, unit: 'calendarDays' },
      },
      {
        id: 'death',
        title: 'Report of a serious incident involving the death of a person',
        reference: 'AI Act Art. 73(4)',
        description:
          'Immediately after the provider or the deployer has established, or as soon as it suspects, a causal relationship between the AI system and the serious incident, and not later than 10 days after the date on which it becomes aware of the serious incident.',
        from: { trigger: 'death' },
        within: { amount: 10, unit: 'calendarDays' },
      },
    ],
    notes: [
      'Start awareness for every serious incident; start widespreadOrCriticalInfrastructure or death too (at the time you became aware) when Art. 73(3) or 73(4) applies: its shorter deadline then runs beside the 15 days.',
      'An initial report that is incomplete may be followed by a complete one (Art. 73(5)): file the phase again.',
      'Days are counted as in Regulation (EEC, Euratom) No 1182/71: from the day after awareness to the end of the last day (in the calendar\'s time zone). The extension of a period ending on a holiday or weekend (Art. 3(4)) is not applied: the earlier deadline is shown.',
      'Art. 73 applies once the high-risk rules apply (2 August 2026 under Art. 113 as adopted; check later amendments). Deployers that identify a serious incident inform the provider first (Art. 26(5)).',
    ],
  },
} as const;
