/**
 * Compact screening lists bundled with evaluateAml, in the OFAC SDN CSV format (sdn.csv + alt.csv: no header,
 * `-0-` for null, programs joined as "A] [B"), so the function screens out of the box and the parser is
 * exercised on the real layout. Production points AML_SDN_CSV_PATH / AML_SDN_ALT_CSV_PATH at the full OFAC
 * export (sanctionslistservice.ofac.treas.gov ... /exports/sdn.csv, alt.csv).
 *
 * The sanctions sample lists publicly designated names with their programs; ent_nums other than 10278 (the
 * reference example row) are illustrative, not OFAC's. The PEP sample is fictitious: a PEP list is licensed
 * data (e.g. OpenSanctions `peps`) that a deployment supplies in the same format (AML_PEP_CSV_PATH).
 */

export const SDN_SAMPLE_CSV = `10278,"LOGAN MOREY, Elvis Angus","individual","SDNT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 28 Jul 1963; POB Toledo District, Belize; citizen Belize."
22790,"MADURO MOROS, Nicolas","individual","VENEZUELA] [VENEZUELA-EO13692",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 23 Nov 1962; POB Caracas, Venezuela; President of the Bolivarian Republic of Venezuela."
35096,"PUTIN, Vladimir Vladimirovich","individual","RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 07 Oct 1952; POB Leningrad, Russia; President of the Russian Federation."
20470,"KIM, Jong Un","individual","DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 08 Jan 1984; nationality Korea, North."
16390,"KOREA RUNGRADO GENERAL TRADING CORPORATION",-0- ,"DPRK2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Pyongyang, Korea, North."
23794,"LAZARUS GROUP",-0- ,"DPRK3] [CYBER2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Digital Currency Address - ETH 0x098B716B8Aaf21512996dC57EB0615e2383E2f96; Linked To: RECONNAISSANCE GENERAL BUREAU."
31920,"SUEX OTC, S.R.O.",-0- ,"CYBER2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Organization Established Date 25 Sep 2018; Registration Number 07486049 (Czech Republic)."
32152,"CHATEX",-0- ,"CYBER2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Website chatex.com; Linked To: SUEX OTC, S.R.O.."
33440,"HYDRA MARKET",-0- ,"CYBER2] [RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Website hydraruzxpnew4af.onion."
33562,"GARANTEX EUROPE OU",-0- ,"CYBER2] [RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Registration Number 14825575 (Estonia); Website garantex.io."
34020,"BLENDER.IO",-0- ,"CYBER2] [DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Website blender.io; Linked To: LAZARUS GROUP."
44150,"SINBAD.IO",-0- ,"CYBER2] [DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Website sinbad.io; Linked To: LAZARUS GROUP."
18421,"ISLAMIC REVOLUTIONARY GUARD CORPS",-0- ,"SDGT] [IRGC] [IFSR] [NPWMD",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Tehran, Iran."
6414,"HAMAS",-0- ,"SDGT] [SDT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- 
9435,"SHAHID KARIMI INDUSTRIES",-0- ,"NPWMD] [IFSR",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Tehran, Iran."
12815,"HASHEMI, Seyed Mohammad","individual","SDGT] [IFSR",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1961; nationality Iran."
25500,"AL-FAKHURI, Husam 'Abd-al-Barr","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1970."
17633,"NARI SHIPPING AND CHARTERING GMBH & CO. KG",-0- ,"IRAN] [IFSR",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Hamburg, Germany."
27801,"KAMSHILOV, Oleg Anatolievich","individual","UKRAINE-EO13660",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1969."
28712,"AO ZAVOD FIOLENT",-0- ,"UKRAINE-EO13685",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Simferopol, Crimea, Ukraine."
26001,"FLORES CASTRO, Sendy","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1982; nationality Honduras."
15800,"IRAN HORMUZ 12","vessel","IRAN",-0- ,-0- ,"Crude Oil Tanker",-0- ,-0- ,"Iran",-0- ,"Vessel Registration Identification IMO 8313403."
`;

export const SDN_SAMPLE_ALT_CSV = `22790,101,"aka","MADURO, Nicolas",-0- 
23794,201,"aka","APPLEWORM",-0- 
23794,202,"aka","GUARDIANS OF PEACE",-0- 
23794,203,"aka","HIDDEN COBRA",-0- 
18421,301,"aka","IRANIAN REVOLUTIONARY GUARD CORPS",-0- 
18421,302,"aka","PASDARAN",-0- 
6414,401,"aka","ISLAMIC RESISTANCE MOVEMENT",-0- 
33562,501,"aka","GARANTEX",-0- 
32152,601,"aka","CHATEX.COM",-0- 
`;

/** Fictitious politically exposed persons, in the same sdn.csv layout (program PEP, title = position). */
export const PEP_SAMPLE_CSV = `900001,"VARELA OSTROVSKY, Marta Ines","individual","PEP","Minister of Finance",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Fictitious sample entry; country Aldoria."
900002,"DUMONT-KESSLER, Clarisse Amelie","individual","PEP","Governor of the Central Bank",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Fictitious sample entry; country Aldoria."
900003,"OKONJO BRANDT, Tobias","individual","PEP","Member of Parliament",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Fictitious sample entry; country Veyland."
900004,"HALVORSEN MBEKI, Ingrid","individual","PEP","Ambassador",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Fictitious sample entry; country Veyland."
900005,"ARANTXA QUISPE, Diego Mateo","individual","PEP","Mayor of the Capital",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Fictitious sample entry; country Norvania."
`;
