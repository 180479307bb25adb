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
} as const;
