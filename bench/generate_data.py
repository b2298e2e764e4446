"""Generate a realistic data set for the benchmarks: researchers, topics, publications, authors.

By default 2,000 researchers, 300 topics (French and English names) and 100,000 publications
with 3 to 12 authors each (the researchers' own author records and external authors from many
countries, accents included), titles and abstracts in English and French from word lists whose
words range from very common to rare, venues, years, identifiers and topic links. One
researcher, benchmark-researcher, signs exactly 500 published publications. The same seed gives
the same data.

    .venv/bin/python bench/generate_data.py          # database "bench", created if missing
    .venv/bin/python bench/generate_data.py --reset  # drop and create it again first
    .venv/bin/python bench/generate_data.py --researchers 200 --publications 5000 --topics 60 \
        --seed 3 --database-url postgres://postgres@127.0.0.1:5432/bench_small
"""

import argparse
import bisect
import itertools
import random
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BENCHMARK_PUBLICATIONS,
    BENCHMARK_SLUG,
    DEFAULT_DATABASE_URL,
    database_create,
    django_setup,
)

PUBLICATION_CHUNK = 2000  # publications written per round of bulk inserts
INSERT_BATCH = 2000  # rows per INSERT statement


def words(text: str) -> list[str]:
    """A word list written as items separated by semicolons."""
    return [item.strip() for item in text.split(";") if item.strip()]


# --- Vocabulary. Lists are ordered from the most to the least frequent: items are drawn with
# Zipf weights, so that the first are in a large share of the publications and the last in few.

METHODS_EN = words("""
neural networks; transformers; graph neural networks; reinforcement learning; diffusion models;
language models; variational inference; Gaussian processes; self-supervised learning;
contrastive learning; Bayesian optimisation; convolutional networks; kernel methods;
stochastic gradient descent; causal inference; optimal transport; federated learning;
meta-learning; knowledge distillation; mixture of experts; variational autoencoders;
normalising flows; recurrent networks; state-space models; attention mechanisms;
Markov chain Monte Carlo; random forests; gradient boosting; matrix factorisation;
tensor decompositions; spectral clustering; sparse coding; hidden Markov models;
energy-based models; neural ordinary differential equations; hierarchical models;
conditional random fields; support vector machines; evolutionary algorithms; integer programming;
convex relaxations; proximal methods; mirror descent; Thompson sampling; bandit algorithms;
policy gradients; actor-critic methods; model predictive control; Kalman filtering;
particle filters; belief propagation; message passing; graph kernels; random features;
implicit neural representations; denoising score matching; flow matching; vision transformers;
retrieval-augmented generation; program synthesis; symbolic regression; active learning;
semi-supervised learning; domain adaptation; continual learning; quantisation;
structured pruning; low-rank adaptation; genetic programming; curriculum learning
""")

TASKS_EN = words("""
image classification; machine translation; question answering; speech recognition;
object detection; time-series forecasting; image segmentation; anomaly detection; drug discovery;
protein structure prediction; weather forecasting; molecular property prediction;
medical image analysis; recommendation; robot navigation; motion planning; text classification;
summarisation; pose estimation; source separation; link prediction; community detection;
fraud detection; traffic prediction; crop yield estimation; species distribution modelling;
climate downscaling; materials design; code generation; theorem proving; dialogue systems;
named entity recognition; sentiment analysis; sign language recognition; music generation;
3D reconstruction; scene understanding; visual localisation; depth estimation;
epidemic modelling; gene expression analysis; single-cell analysis; brain decoding;
seizure detection; sleep staging; dose optimisation; portfolio selection;
energy load forecasting; power grid control; satellite image classification; wildfire prediction;
flood mapping; hate speech detection; misinformation detection; legal document analysis;
clinical note coding; genome assembly; variant calling; retrosynthesis; catalyst discovery
""")

DOMAINS_EN = words("""
healthcare; genomics; neuroscience; climate science; robotics; ecology; finance; education;
agriculture; energy systems; transportation; astronomy; chemistry; materials science;
public health; oncology; particle physics; cardiology; psychiatry; linguistics; law;
social networks; oceanography; hydrology; seismology; manufacturing; cybersecurity; e-commerce;
urban planning; epidemiology; structural biology; radiology; pharmacology; remote sensing;
video games
""")

ADJECTIVES_EN = words("""
scalable; robust; efficient; interpretable; probabilistic; adaptive; provable; sample-efficient;
distributed; hierarchical; sparse; causal; equivariant; multimodal; multilingual; fair; private;
uncertainty-aware; lightweight; principled; unified; generalisable; compositional;
data-efficient; online; offline; decentralised; low-resource; long-range; stable; faithful;
calibrated; modular; structured; continuous; discrete; nonparametric; tractable; fast; accurate;
energy-efficient; physics-informed; zero-shot; few-shot
""")

NOUNS_EN = words("""
generalisation; convergence; robustness; uncertainty; expressivity; sample complexity;
calibration; stability; fairness; privacy; interpretability; scalability; distribution shift;
inductive bias; training dynamics; identifiability; memory footprint; loss landscape;
representation geometry; data efficiency; catastrophic forgetting; exploration;
credit assignment; compositionality; spurious correlations; label noise; class imbalance;
overfitting; variance; latency; energy consumption; reproducibility; symmetry; sparsity;
curvature; smoothness; invariance; emergence; alignment
""")

METRICS_EN = words("""
accuracy; F1 score; mean absolute error; AUROC; BLEU; perplexity; top-1 accuracy; recall;
precision; Dice coefficient; word error rate; log-likelihood; regret; cumulative return;
throughput; calibration error
""")

DATASETS = words("""
ImageNet; CIFAR-10; COCO; MIMIC-IV; LibriSpeech; WMT; SQuAD; GLUE; Atari; MuJoCo; OGB; QM9; ERA5;
PubMed; Wikipedia; KITTI; nuScenes; CheXpert; UK Biobank; TCGA; ChEMBL; Open Catalyst; MNIST;
Penn Treebank; LAION; Ego4D; ScanNet; ADNI; CAMELYON16; Criteo; MovieLens; Cityscapes; FLORES;
XNLI; Kinetics; AudioSet; BraTS
""")

# Specialised terms: the long tail that makes a search selective.
TERMS_EN = words("""
hippocampus; Wasserstein distances; cortex; microbiome; permafrost; graphene; EEG; fMRI;
perovskite; COVID-19; Hamiltonian dynamics; Riemannian manifolds; Shapley values;
adversarial examples; differential privacy; qubits; Ising models; turbulence; biodiversity;
CRISPR; dopamine; point clouds; LiDAR; chain-of-thought; hallucinations; batteries;
wind turbines; sepsis; dementia; diabetes; depression; wearables; electronic health records;
histopathology; glaciers; wildfires; droughts; earthquakes; hurricanes; black holes;
gravitational waves; dark matter; galaxies; ferroelectric materials; phylogenetics;
mycorrhizal networks; tokamaks; exoplanets; spintronics; metagenomics; connectomes; glioblastoma;
photovoltaics; topological insulators; Koopman operators; persistent homology; sheaf theory;
category theory; counterfactual explanations; saliency maps; backdoor attacks;
membership inference; homomorphic encryption; zero-knowledge proofs; neuromorphic hardware;
memristors; quantum annealing; entanglement; spin glasses; percolation; Navier-Stokes equations;
aerosols; monsoons; El Niño; sea ice; pollinators; coral reefs; phytoplankton; wetlands;
boreal forests; Arctic; Saint Lawrence River; antibiotic resistance; mRNA; ribosomes;
kinase inhibitors; amyloid; serotonin; cerebellum; magnetoencephalography; electrocorticography;
spike trains; place cells; grid cells; retina; cochlea; prosody; phonology; Inuktitut; Cree;
Québécois French; code-switching; dialects; sarcasm; metaphor; humour; folktales; Molière;
tokenisation; byte-pair encoding; jailbreaks; watermarking; red teaming; reward hacking;
sycophancy; superposition; grokking; double descent; neural collapse; lottery tickets;
mode connectivity; Hessian spectra; Lipschitz constants; Hölder continuity; Sobolev spaces;
Banach spaces; Hilbert spaces; Fourier features; wavelets; splines; Chebyshev polynomials;
Voronoi diagrams; Delaunay triangulations; meshes; neural radiance fields; Gaussian splatting;
visual odometry; SLAM; quadrotors; exoskeletons; prosthetics; haptics; surgical robots; swarms;
legged locomotion; dexterous manipulation; autonomous vehicles; drones; railways; supply chains;
auctions; mechanism design; Nash equilibria; voting rules; kidney exchange; carbon pricing;
cryptocurrencies; microfinance; pensions; actuarial tables; mortality; autism; schizophrenia;
suicide prevention; opioids; influenza; malaria; tuberculosis; HIV; vaccines; pharmacovigilance;
ultrasound; dermatology; ophthalmology; mammography; echocardiography; radiotherapy;
proton therapy; immunotherapy; T cells; antibodies; enzymes; peptides; polymers; zeolites;
electrolytes; hydrogen storage; nuclear fusion; smart grids; heat pumps; cement; steelmaking;
recycling; microplastics; wastewater; groundwater; avalanches; volcanoes; tsunamis; lightning;
locusts; honeybees; whales; birdsong; bats; salmon; caribou; wolves; lichens; archaea;
bacteriophages; prions; origami; knot theory; braid groups; aperiodic tilings; fractals;
solitons; neutrinos; supernovae; pulsars; cosmic microwave background; asteroids; Titan;
Enceladus; cuneiform; papyri; palimpsests; Gregorian chant; harpsichords; tango; calligraphy;
stained glass; shipwrecks; lighthouses; sourdough; maple syrup; blueberries; lobster fisheries;
snowpack; ice roads
""")

METHODS_FR = words("""
réseaux de neurones; modèles de langue; réseaux de neurones sur graphes;
apprentissage par renforcement; modèles de diffusion; inférence variationnelle;
processus gaussiens; apprentissage auto-supervisé; apprentissage contrastif;
optimisation bayésienne; méthodes à noyaux; descente de gradient stochastique; inférence causale;
transport optimal; apprentissage fédéré; méta-apprentissage; distillation de connaissances;
modèles de mélange; forêts aléatoires; méthodes de Monte-Carlo; filtrage de Kalman;
algorithmes évolutionnaires; programmation en nombres entiers; régression symbolique;
apprentissage actif; adaptation de domaine; apprentissage continu; modèles hiérarchiques;
chaînes de Markov cachées; mécanismes d'attention
""")

TASKS_FR = words("""
classification d'images; traduction automatique; réponse aux questions;
reconnaissance de la parole; détection d'objets; prévision de séries temporelles;
segmentation d'images; détection d'anomalies; découverte de médicaments;
prédiction de la structure des protéines; prévision météorologique; analyse d'images médicales;
recommandation; navigation robotique; classification de textes; résumé automatique;
prédiction de liens; détection de fraude; prévision du trafic;
estimation des rendements agricoles; modélisation de la répartition des espèces;
réduction d'échelle climatique; conception de matériaux; génération de code;
démonstration de théorèmes; reconnaissance d'entités nommées; analyse de sentiments;
modélisation des épidémies; analyse de l'expression génique; cartographie des inondations
""")

DOMAINS_FR = words("""
santé; génomique; neurosciences; sciences du climat; robotique; écologie; finance; éducation;
agriculture; systèmes énergétiques; transports; astronomie; chimie; science des matériaux;
santé publique; oncologie; cardiologie; psychiatrie; linguistique; droit; réseaux sociaux;
océanographie; hydrologie; sismologie; cybersécurité; urbanisme; épidémiologie; radiologie;
pharmacologie; télédétection
""")

# Adjectives with one form for both genders, so that they agree with any noun.
ADJECTIVES_FR = words("""
robuste; efficace; interprétable; probabiliste; hiérarchique; stable; modulaire; rapide; fiable;
reproductible; équitable; multilingue; explicable; dynamique; statistique; géométrique;
symbolique; numérique; asymptotique; économe; durable; explicite; implicite; automatique
""")

NOUNS_FR = words("""
la généralisation; la convergence; la robustesse; l'incertitude; l'expressivité; la calibration;
la stabilité; l'équité; la confidentialité; l'interprétabilité; la mise à l'échelle;
le biais inductif; la dynamique d'apprentissage; l'identifiabilité; l'efficacité des données;
la dérive des distributions; l'oubli catastrophique; l'exploration; la compositionnalité;
les corrélations fallacieuses; le bruit d'étiquetage; le surapprentissage; la variance;
la latence; la consommation d'énergie; la reproductibilité; la symétrie; la parcimonie;
l'invariance
""")

TERMS_FR = words("""
hippocampe; microbiote; pergélisol; cortex; graphène; COVID-19; forêt boréale; Saint-Laurent;
biodiversité; dopamine; batteries; éoliennes; démence; diabète; glaciers; feux de forêt;
sécheresses; séismes; trous noirs; matière noire; galaxies; érablières; bleuets; bélugas;
caribous; phytoplancton; résistance aux antibiotiques; vaccins; échographie; histopathologie;
radiothérapie; immunothérapie; hydrogène; réseaux électriques intelligents; thermopompes; béton;
recyclage; microplastiques; eaux usées; nappes phréatiques; avalanches; volcans; ouragans;
abeilles; baleines; chants d'oiseaux; chauves-souris; saumons; loups; lichens; champignons;
ondes gravitationnelles; neutrinos; astéroïdes; québécois; inuktitut; alternance codique;
dialectes; métaphores; contes; Molière; tokenisation; hallucinations; tatouage numérique;
équilibres de Nash; enchères; tarification du carbone; cryptomonnaies; microfinance; retraites;
sirop d'érable; pêche au homard; manteau neigeux; routes de glace; chant grégorien; clavecins;
vitraux; épaves; phares
""")

TITLES_EN = [
    "{Adj} {method} for {task}",
    "{Method} for {task} in {domain}",
    "On the {noun} of {method}",
    "Towards {adj} {task} with {method}",
    "{Term}: {adj} {task} with {method}",
    "Learning {term} with {method}",
    "{Adj} {task} from {term}",
    "When do {method} help {task}?",
    "{Method} meets {term}: {task} in {domain}",
    "Revisiting {noun} in {method}",
    "{Adj} and {adj2} {method} for {domain}",
    "{Task} with {adj} {method}: a study of {term}",
]
SENTENCES_EN = [
    "{Task} is a central problem in {domain}, yet current {method} remain {adj} only at "
    "small scale.",
    "We propose a new, {adj} method that combines {method} and {method2} for {task}.",
    "We study the {noun} of {method} applied to {task}.",
    "Our approach relies on {term} and {term2} to improve {noun}.",
    "Experiments on {dataset} show gains of {percent}% in {metric} over {method2}.",
    "On {dataset}, it reaches {score} {metric}, against {score2} for the strongest baseline.",
    "We prove that {noun} holds under mild assumptions on {term}.",
    "Unlike prior work on {term}, we make no assumption about {noun}.",
    "The analysis reveals {adj} links between {term} and {noun}.",
    "These results suggest that {method} can make {task} {adj} in {domain}.",
    "We release code and data to support further work on {task}.",
    "A case study in {domain} illustrates the method on {term}.",
    "Ablations show that {noun} matters more than model size.",
    "Our theory predicts when {method} fail, and experiments in {domain} confirm it.",
    "We also discuss {noun} and {noun2}, and the part {term} plays in both.",
    "Compared with {method2}, training is {factor} times faster on {dataset}.",
]
TITLES_FR = [
    "{Methode} pour {tache}",
    "{Tache} en {domaine} par {methode}",
    "Sur {nom} en {tache}",
    "{Terme} et {tache} : une approche {adj}",
    "Apport des {methode} à {domaine}",
    "{Methode} {adj}s pour {domaine}",
    "{Tache} et {terme} : étude de {nom}",
]
SENTENCES_FR = [
    "Nous proposons une méthode {adj} qui combine {methode} et {methode2} pour {tache}.",
    "Nous étudions {nom} des {methode} en {tache}.",
    "Notre approche s'appuie sur {terme} et {terme2} pour améliorer {nom}.",
    "Les expériences sur {dataset} montrent un gain de {percent} % en exactitude.",
    "Nous montrons que {nom} est garantie sous des hypothèses faibles sur {terme}.",
    "Contrairement aux travaux antérieurs sur {terme}, nous ne supposons rien de {nom}.",
    "Une étude de cas en {domaine} illustre la méthode sur {terme}.",
    "Ces résultats suggèrent que les {methode} rendent {tache} plus {adj} en {domaine}.",
    "Le code et les données sont publiés pour faciliter les travaux sur {tache}.",
    "L'analyse révèle des liens {adj}s entre {terme} et {nom}.",
    "Par rapport aux {methode2}, l'entraînement est {factor} fois plus rapide sur {dataset}.",
]

CONFERENCES = words("""
NeurIPS; ICML; ICLR; AAAI; IJCAI; ACL; EMNLP; CVPR; NAACL; ICCV; ECCV; AISTATS; UAI; KDD; COLT;
The Web Conference; MICCAI; ISMB; CoRL; ICRA; IROS; Interspeech; TALN;
CAp (Conférence sur l'apprentissage automatique)
""")
JOURNALS = words("""
Journal of Machine Learning Research; Transactions on Machine Learning Research;
Nature Communications; Nature Machine Intelligence;
IEEE Transactions on Pattern Analysis and Machine Intelligence;
Proceedings of the National Academy of Sciences; Neural Computation; Bioinformatics;
The Lancet Digital Health; Physical Review Letters; Journal of Climate; Ecology Letters;
Annals of Statistics; Journal of the American Statistical Association; Computational Linguistics;
Science; Nature; Canadian Journal of Statistics; Revue d'intelligence artificielle;
Traitement automatique des langues; Comptes Rendus. Mathématique;
Journal de la Société française de statistique; Médecine/sciences; Revue des sciences de l'eau
""")
INSTITUTIONS = words("""
Université de Montréal; Université McGill; Polytechnique Montréal; HEC Montréal;
Université Laval; Université de Sherbrooke; Université Concordia;
École de technologie supérieure; Université du Québec à Montréal; Université d'Ottawa;
Université du Québec à Rimouski; Institut national de la recherche scientifique
""")
COMPANIES = words("""
Google DeepMind; Microsoft Research; Meta AI; ServiceNow Research; Samsung AI Center;
IBM Research; Hydro-Québec
""")
# (French masculine, French feminine, English)
POSITIONS = [
    ("Professeur titulaire", "Professeure titulaire", "Full Professor"),
    ("Professeur agrégé", "Professeure agrégée", "Associate Professor"),
    ("Professeur adjoint", "Professeure adjointe", "Assistant Professor"),
    ("Chercheur principal", "Chercheuse principale", "Principal Researcher"),
    ("Chercheur scientifique", "Chercheuse scientifique", "Research Scientist"),
    ("Chercheur postdoctoral", "Chercheuse postdoctorale", "Postdoctoral Fellow"),
    ("Titulaire de chaire en IA", "Titulaire de chaire en IA", "AI Chair"),
    ("Directeur de recherche", "Directrice de recherche", "Research Director"),
]
MEMBERSHIPS = [
    ("core_academic", 30),
    ("associate_academic", 25),
    ("affiliate", 25),
    ("industry", 12),
    ("associate_industry", 8),
]
KINDS = [
    ("inproceedings", 40),
    ("article", 35),
    ("preprint", 15),
    ("incollection", 3),
    ("report", 3),
    ("thesis", 2),
    ("book", 1),
    ("misc", 1),
]

# (French, English) research fields and the settings they are applied in; a topic is one of
# each, so that 60 x 5 give 300 distinct topics.
FIELDS = [
    ("Apprentissage profond", "Deep learning"),
    ("Apprentissage par renforcement", "Reinforcement learning"),
    ("Traitement automatique des langues", "Natural language processing"),
    ("Vision par ordinateur", "Computer vision"),
    ("Apprentissage sur graphes", "Graph learning"),
    ("Modèles génératifs", "Generative models"),
    ("Apprentissage bayésien", "Bayesian learning"),
    ("Inférence causale", "Causal inference"),
    ("Optimisation", "Optimisation"),
    ("Théorie de l'apprentissage", "Learning theory"),
    ("Robotique", "Robotics"),
    ("Reconnaissance de la parole", "Speech recognition"),
    ("Systèmes de recommandation", "Recommender systems"),
    ("Apprentissage fédéré", "Federated learning"),
    ("Confidentialité des données", "Data privacy"),
    ("Équité algorithmique", "Algorithmic fairness"),
    ("Interprétabilité", "Interpretability"),
    ("Sûreté de l'IA", "AI safety"),
    ("Grands modèles de langue", "Large language models"),
    ("Apprentissage multimodal", "Multimodal learning"),
    ("Séries temporelles", "Time series"),
    ("Méthodes à noyaux", "Kernel methods"),
    ("Processus gaussiens", "Gaussian processes"),
    ("Méthodes de Monte-Carlo", "Monte Carlo methods"),
    ("Statistique computationnelle", "Computational statistics"),
    ("Apprentissage continu", "Continual learning"),
    ("Méta-apprentissage", "Meta-learning"),
    ("Apprentissage auto-supervisé", "Self-supervised learning"),
    ("Transport optimal", "Optimal transport"),
    ("Géométrie de l'information", "Information geometry"),
    ("Calcul quantique", "Quantum computing"),
    ("Neurosciences computationnelles", "Computational neuroscience"),
    ("Imagerie médicale", "Medical imaging"),
    ("Génomique", "Genomics"),
    ("Découverte de médicaments", "Drug discovery"),
    ("Biologie structurale", "Structural biology"),
    ("Science des matériaux", "Materials science"),
    ("Chimie computationnelle", "Computational chemistry"),
    ("Modélisation du climat", "Climate modelling"),
    ("Écologie numérique", "Computational ecology"),
    ("Agriculture de précision", "Precision agriculture"),
    ("Systèmes énergétiques", "Energy systems"),
    ("Mobilité et transports", "Mobility and transport"),
    ("Villes intelligentes", "Smart cities"),
    ("Cybersécurité", "Cybersecurity"),
    ("Théorie des jeux", "Game theory"),
    ("Économie computationnelle", "Computational economics"),
    ("Finance quantitative", "Quantitative finance"),
    ("Humanités numériques", "Digital humanities"),
    ("Éthique de l'IA", "AI ethics"),
    ("Droit et IA", "Law and AI"),
    ("Éducation et IA", "AI in education"),
    ("Interaction humain-machine", "Human-computer interaction"),
    ("Informatique musicale", "Computer music"),
    ("Infographie", "Computer graphics"),
    ("Vision 3D", "3D vision"),
    ("Compression de modèles", "Model compression"),
    ("Matériel pour l'IA", "AI hardware"),
    ("Vérification formelle", "Formal verification"),
    ("Raisonnement symbolique", "Symbolic reasoning"),
]
SETTINGS = [
    ("", ""),
    (" en santé", " in health"),
    (" pour le climat", " for climate"),
    (" : fondements théoriques", ": theoretical foundations"),
    (" à grande échelle", " at scale"),
]

# Faker locales for the names of authors from many countries (latin script), most common first.
NAME_LOCALES = [
    ("fr_CA", 18),
    ("fr_FR", 12),
    ("en_US", 12),
    ("en_GB", 4),
    ("de_DE", 6),
    ("es_ES", 5),
    ("it_IT", 5),
    ("pt_BR", 4),
    ("pl_PL", 4),
    ("cs_CZ", 2),
    ("nl_NL", 3),
    ("sv_SE", 2),
    ("da_DK", 1),
    ("fi_FI", 1),
    ("tr_TR", 2),
    ("ro_RO", 2),
    ("hu_HU", 1),
    ("hr_HR", 1),
    ("sk_SK", 1),
    ("sl_SI", 1),
    ("lv_LV", 1),
    ("en_IN", 4),
    ("id_ID", 1),
]
# Romanised East Asian names, which Faker writes in their own scripts.
EAST_ASIAN_GIVEN = words("""
Wei; Xiaoyu; Jing; Hao; Yiming; Zhiwei; Mei; Yuki; Haruto; Sakura; Min-jun; Seo-yeon; Ji-ho;
Minh; Thảo; Quang; Linh
""")
EAST_ASIAN_FAMILY = words("""
Zhang; Wang; Li; Liu; Chen; Yang; Huang; Zhao; Tanaka; Sato; Suzuki; Kim; Park; Lee; Nguyễn;
Trần; Lê; Phạm
""")


class Zipf:
    """Draws items of a list, the first most often: weight 1/rank^exponent."""

    def __init__(self, items: Sequence, exponent: float = 1.0) -> None:
        self.items = list(items)
        weights = [1 / rank**exponent for rank in range(1, len(self.items) + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random):
        index = bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])
        return self.items[min(index, len(self.items) - 1)]


def weighted(choices: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    values, weights = zip(*choices, strict=True)
    return list(values), list(itertools.accumulate(weights))


def ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in folded.lower()).split())


@dataclass
class Person:
    given: str
    family: str
    female: bool

    @property
    def display_name(self) -> str:
        return f"{self.given} {self.family}"


class NameMaker:
    """Distinct, realistic people's names (accents, particles, compound names)."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        from faker import Faker

        self.rng = rng
        locales, self.locale_weights = weighted(NAME_LOCALES)
        self.fakers = []
        for number, locale in enumerate(locales):
            faker = Faker(locale)
            faker.seed_instance(seed * 1000 + number)
            self.fakers.append(faker)
        self.seen: set[str] = set()

    def person(self) -> Person:
        from core.text import name_key

        while True:
            female = self.rng.random() < 0.45
            if self.rng.random() < 0.06:
                given = self.rng.choice(EAST_ASIAN_GIVEN)
                family = self.rng.choice(EAST_ASIAN_FAMILY)
            else:
                faker = self.rng.choices(self.fakers, cum_weights=self.locale_weights)[0]
                if female:
                    given, family = faker.first_name_female(), faker.last_name_female()
                else:
                    given, family = faker.first_name_male(), faker.last_name_male()
            key = name_key(f"{given} {family}")
            if key not in self.seen:
                self.seen.add(key)
                return Person(given, family, female)


@dataclass
class Vocabulary:
    """Zipf-weighted word lists of one language."""

    slots: dict[str, Zipf]
    titles: list[str]
    sentences: list[str]

    def text(self, template: str, rng: random.Random) -> str:
        values = {}
        for name in _template_fields(template):
            base = name.lower().rstrip("2")
            value = self.slots[base].draw(rng)
            values[name] = value[0].upper() + value[1:] if name[0].isupper() else value
        return template.format(**values)


def _template_fields(template: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def numeric_slots() -> dict[str, Zipf]:
    percents = [str(n) for n in (3, 5, 7, 8, 10, 12, 15, 18, 20, 25, 30, 40)]
    scores = [f"{n / 10:.1f}" for n in range(500, 990, 7)]
    factors = ["2", "3", "4", "5", "8", "10", "20"]
    return {
        "percent": Zipf(percents, 0.3),
        "score": Zipf(scores, 0.1),
        "factor": Zipf(factors, 0.5),
        "dataset": Zipf(DATASETS, 1.0),
    }


ENGLISH = Vocabulary(
    slots={
        **numeric_slots(),
        "method": Zipf(METHODS_EN, 1.0),
        "task": Zipf(TASKS_EN, 1.0),
        "domain": Zipf(DOMAINS_EN, 1.0),
        "adj": Zipf(ADJECTIVES_EN, 0.9),
        "noun": Zipf(NOUNS_EN, 0.9),
        "metric": Zipf(METRICS_EN, 1.0),
        "term": Zipf(TERMS_EN, 1.15),
    },
    titles=TITLES_EN,
    sentences=SENTENCES_EN,
)
FRENCH = Vocabulary(
    slots={
        **numeric_slots(),
        "methode": Zipf(METHODS_FR, 1.0),
        "tache": Zipf(TASKS_FR, 1.0),
        "domaine": Zipf(DOMAINS_FR, 1.0),
        "adj": Zipf(ADJECTIVES_FR, 0.9),
        "nom": Zipf(NOUNS_FR, 0.9),
        "terme": Zipf(TERMS_FR, 1.1),
    },
    titles=TITLES_FR,
    sentences=SENTENCES_FR,
)


class Generator:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.kinds, self.kind_weights = weighted(KINDS)
        self.memberships, self.membership_weights = weighted(MEMBERSHIPS)
        self.arxiv_numbers: dict[str, int] = {}
        self.counts: dict[str, int] = {}

    # --- topics and people

    def topics(self):
        from profiles.models import ResearchTopic

        pairs = [(f[0] + s[0], f[1] + s[1]) for s in SETTINGS for f in FIELDS]
        if self.args.topics > len(pairs):
            sys.exit(f"At most {len(pairs)} topics can be generated.")
        topics = [
            ResearchTopic(name_fr=fr, name_en=en, slug_fr=ascii_slug(fr), slug_en=ascii_slug(en))
            for fr, en in pairs[: self.args.topics]
        ]
        return ResearchTopic.objects.bulk_create(topics, batch_size=INSERT_BATCH)

    def researchers(self, names: NameMaker, topics: list):
        from core.text import name_key
        from profiles.models import Researcher
        from publications.models import Author

        rng = self.rng
        researchers = []
        slugs = set()
        for number in range(self.args.researchers):
            person = names.person()
            if number == 0:
                # The benchmark's researcher: its slug says what it is for.
                person = Person("Hélène", "Côté-Tremblay", True)
                names.seen.add(name_key(person.display_name))
                slug = BENCHMARK_SLUG
            else:
                slug = base = ascii_slug(person.display_name)
                suffix = 2
                while slug in slugs:
                    slug, suffix = f"{base}-{suffix}", suffix + 1
            slugs.add(slug)
            position = rng.choice(POSITIONS)
            organization = rng.choice(COMPANIES if rng.random() < 0.15 else INSTITUTIONS)
            researcher = Researcher(
                given_name=person.given,
                family_name=person.family,
                slug=slug,
                membership=rng.choices(self.memberships, cum_weights=self.membership_weights)[0],
                position_fr=position[1] if person.female else position[0],
                position_en=position[2],
                organization=organization,
                website=f"https://example.org/{slug}" if rng.random() < 0.5 else "",
                is_published=number == 0 or rng.random() > 0.02,
            )
            _researcher_derived_fields(researcher)
            researchers.append(researcher)
        researchers = Researcher.objects.bulk_create(researchers, batch_size=INSERT_BATCH)

        # Each researcher works in one field and on 2 to 4 of its topics, often with one or two
        # of a neighbouring field, sometimes with one from anywhere.
        by_field: dict[int, list] = {}
        for index, topic in enumerate(topics):
            by_field.setdefault(index % len(FIELDS), []).append(topic)
        field_count = len(by_field)
        links = []
        self.researcher_topics: dict[int, list] = {}
        for researcher in researchers:
            home = rng.randrange(field_count)
            home_topics = by_field[home]
            neighbours = by_field[(home + 1) % field_count] + by_field[(home - 1) % field_count]
            chosen = set(rng.sample(home_topics, min(len(home_topics), rng.randint(2, 4))))
            chosen |= set(rng.sample(neighbours, min(len(neighbours), rng.randint(0, 2))))
            if rng.random() < 0.3:
                chosen.add(rng.choice(topics))
            chosen_list = sorted(chosen, key=lambda t: t.pk)
            self.researcher_topics[researcher.pk] = chosen_list
            links += [
                Researcher.topics.through(researcher_id=researcher.pk, researchtopic_id=t.pk)
                for t in chosen_list
            ]
            researcher.home_field = home
        Researcher.topics.through.objects.bulk_create(links, batch_size=INSERT_BATCH)
        self.counts["researcher topic links"] = len(links)

        authors = [
            Author(
                display_name=r.full_name,
                given_name=r.given_name,
                family_name=r.family_name,
                researcher=r,
            )
            for r in researchers
        ]
        for author in authors:
            author.refresh_derived_fields()
        authors = Author.objects.bulk_create(authors, batch_size=INSERT_BATCH)
        return researchers, authors

    def external_authors(self, names: NameMaker, count: int):
        from publications.models import Author

        authors = []
        for _ in range(count):
            person = names.person()
            display_name = person.display_name
            if self.rng.random() < 0.08:  # a middle initial, as many sign
                initial = chr(ord("A") + self.rng.randrange(26))
                display_name = f"{person.given} {initial}. {person.family}"
            author = Author(
                display_name=display_name, given_name=person.given, family_name=person.family
            )
            author.refresh_derived_fields()
            authors.append(author)
        return Author.objects.bulk_create(authors, batch_size=INSERT_BATCH)

    # --- publications

    def publication(self, number: int, *, benchmark: bool):
        from publications.models import Publication

        rng = self.rng
        french = rng.random() < 0.15
        vocabulary = FRENCH if french else ENGLISH
        title = vocabulary.text(rng.choice(vocabulary.titles), rng)
        count = min(len(vocabulary.sentences), rng.randint(5, 11))
        sentences = [vocabulary.text(t, rng) for t in rng.sample(vocabulary.sentences, count)]
        # Recent years are more frequent, as in any institute's list.
        year = 2025 - min(30, int(rng.expovariate(1 / 6)))
        kind = rng.choices(self.kinds, cum_weights=self.kind_weights)[0]
        venue = self.venue(kind, year)
        doi = arxiv_id = ""
        if kind != "preprint" and rng.random() < 0.75:
            doi = f"10.{5000 + number % 400}/bench.{number}"
        if (kind == "preprint" or rng.random() < 0.35) and year >= 2008:
            arxiv_id = self.arxiv_id(year)
        publication = Publication(
            title=title,
            abstract=" ".join(sentences),
            year=year,
            venue=venue,
            kind=kind,
            language="fr" if french else "en",
            doi=doi,
            arxiv_id=arxiv_id,
            url=f"https://doi.org/{doi}" if doi else "",
            pdf_url=f"https://arxiv.org/pdf/{arxiv_id}" if arxiv_id else "",
            code_url=f"https://github.com/example/project-{number}" if rng.random() < 0.2 else "",
            is_published=benchmark or rng.random() > 0.03,
        )
        publication.refresh_derived_fields()
        return publication

    def venue(self, kind: str, year: int) -> str:
        rng = self.rng
        if kind == "inproceedings":
            return f"{rng.choice(CONFERENCES)} {year}"
        if kind == "article":
            return rng.choice(JOURNALS)
        if kind == "preprint":
            return "arXiv"
        if kind == "thesis":
            return rng.choice(INSTITUTIONS)
        if kind == "report":
            return f"Rapport technique, {rng.choice(INSTITUTIONS + COMPANIES)}"
        return rng.choice(["Springer", "MIT Press", "Presses de l'Université de Montréal", ""])

    def arxiv_id(self, year: int) -> str:
        month = f"{year % 100:02d}{self.rng.randint(1, 12):02d}"
        self.arxiv_numbers[month] = self.arxiv_numbers.get(month, 0) + 1
        return f"{month}.{self.arxiv_numbers[month]:05d}"

    def run(self) -> None:
        from django.db import transaction

        from profiles.models import Researcher, ResearchTopic
        from publications.models import Author, Authorship, Publication

        args, rng = self.args, self.rng
        started = time.perf_counter()
        names = NameMaker(rng, args.seed)
        with transaction.atomic():
            topics = self.timed("topics", self.topics)
            researchers, researcher_authors = self.timed(
                "researchers and their authors", lambda: self.researchers(names, topics)
            )
            external_count = max(args.publications * 3 // 10, 100)
            external = self.timed(
                "external authors", lambda: self.external_authors(names, external_count)
            )
            benchmark = researchers[0]
            benchmark_author = researcher_authors[0]
            # Everyone but the benchmark's researcher, the most prolific drawn most often.
            by_field: dict[int, list[int]] = {}
            for index, researcher in enumerate(researchers[1:], start=1):
                by_field.setdefault(researcher.home_field, []).append(index)
            productive = Zipf(range(1, len(researchers)), 0.6)
            external_pick = Zipf(range(len(external)), 0.5)
            benchmark_numbers = set(
                rng.sample(range(args.publications), min(BENCHMARK_PUBLICATIONS, args.publications))
            )

            start = time.perf_counter()
            authorship_count = topic_link_count = 0
            recount_triggers(enable=False)
            for chunk_start in range(0, args.publications, PUBLICATION_CHUNK):
                numbers = range(
                    chunk_start, min(chunk_start + PUBLICATION_CHUNK, args.publications)
                )
                publications = [
                    self.publication(n, benchmark=n in benchmark_numbers) for n in numbers
                ]
                publications = Publication.objects.bulk_create(
                    publications, batch_size=INSERT_BATCH
                )
                authorships, topic_links = [], []
                for number, publication in zip(numbers, publications, strict=True):
                    lead = productive.draw(rng)
                    team = {lead}
                    colleagues = by_field[researchers[lead].home_field]
                    for _ in range(rng.choices([0, 1, 2], [60, 30, 10])[0]):
                        team.add(rng.choice(colleagues))
                    signers = [researcher_authors[i] for i in sorted(team)]
                    if number in benchmark_numbers:
                        signers.append(benchmark_author)
                    total = max(len(signers) + 1, rng.choices(range(3, 13), AUTHOR_COUNTS)[0])
                    chosen = {a.pk for a in signers}
                    while len(signers) < total:
                        author = external[external_pick.draw(rng)]
                        if author.pk not in chosen:
                            chosen.add(author.pk)
                            signers.append(author)
                    rng.shuffle(signers)
                    authorships += [
                        Authorship(publication_id=publication.pk, author_id=a.pk, position=p)
                        for p, a in enumerate(signers, start=1)
                    ]
                    candidates = {
                        t.pk
                        for i in team | ({0} if number in benchmark_numbers else set())
                        for t in self.researcher_topics[researchers[i].pk]
                    }
                    topic_ids = set(
                        rng.sample(sorted(candidates), min(len(candidates), rng.randint(1, 3)))
                    )
                    if rng.random() < 0.1:
                        topic_ids.add(rng.choice(topics).pk)
                    topic_links += [
                        Publication.topics.through(
                            publication_id=publication.pk, researchtopic_id=t
                        )
                        for t in sorted(topic_ids)
                    ]
                # One statement per chunk: the search triggers then index each publication's
                # authors once.
                Authorship.objects.bulk_create(authorships)
                Publication.topics.through.objects.bulk_create(topic_links)
                if chunk_start == 0:
                    analyze()
                authorship_count += len(authorships)
                topic_link_count += len(topic_links)
                done = numbers.stop
                if done % 20000 == 0 or done == args.publications:
                    rate = done / (time.perf_counter() - start)
                    print(f"  {done:>7,} publications ({rate:,.0f}/s)", flush=True)
            self.counts["publications"] = args.publications
            self.counts["authorships"] = authorship_count
            self.counts["publication topic links"] = topic_link_count
            print(f"publications, authorships, topic links: {time.perf_counter() - start:.1f} s")
            self.timed("search vectors", refresh_search_vectors)
            recount_triggers(enable=True)
            self.timed("each researcher's counts", recount_everyone)

        self.timed("key publications and supervision", lambda: profile_extras(benchmark))
        self.timed("VACUUM ANALYZE", vacuum_analyze)
        own = Publication.objects.published().for_researcher(benchmark).count()
        if own != min(BENCHMARK_PUBLICATIONS, args.publications):
            sys.exit(f"{BENCHMARK_SLUG} has {own} published publications instead of 500.")
        print()
        print(f"total:                   {time.perf_counter() - started:.1f} s")
        for label, model in [
            ("researchers", Researcher),
            ("topics", ResearchTopic),
            ("authors", Author),
            ("publications", Publication),
            ("authorships", Authorship),
        ]:
            print(f"{label + ':':<25}{model.objects.count():,}")
        for label in ("researcher topic links", "publication topic links"):
            print(f"{label + ':':<25}{self.counts[label]:,}")
        print(f"benchmark researcher:    /fr/chercheurs/{BENCHMARK_SLUG}/ ({own} publications)")

    def timed(self, label: str, step):
        start = time.perf_counter()
        result = step()
        print(f"{label}: {time.perf_counter() - start:.1f} s", flush=True)
        return result


# How many publications have 3, 4, ... 12 authors, relatively.
AUTHOR_COUNTS = [14, 18, 17, 13, 10, 8, 7, 5, 4, 4]


def profile_extras(benchmark) -> None:
    """What makes the benchmark's profile as rich as a real one: five key publications (its
    newest) and supervision both ways, current and past."""
    from profiles.models import Researcher, Supervision
    from publications.models import Authorship

    newest = (
        Authorship.objects.authors()
        .filter(author__researcher=benchmark, publication__is_published=True)
        .order_by("-publication__year", "-publication_id")
        .values_list("pk", flat=True)[:5]
    )
    Authorship.objects.filter(pk__in=list(newest)).update(is_key=True)
    others = list(Researcher.objects.exclude(pk=benchmark.pk).order_by("pk")[:10])
    degrees = [Supervision.Degree.PHD, Supervision.Degree.MSC, Supervision.Degree.POSTDOC]
    Supervision.objects.bulk_create(
        [
            Supervision(
                supervisor=benchmark,
                student=student,
                role=Supervision.Role.PRINCIPAL if number % 3 else Supervision.Role.CO_SUPERVISOR,
                degree=degrees[number % 3],
                start_year=2012 + number,
                end_year=None if number >= 4 else 2016 + number,
            )
            for number, student in enumerate(others[:8])
        ]
        + [
            Supervision(
                supervisor=supervisor,
                student=benchmark,
                role=role,
                degree=Supervision.Degree.PHD,
                start_year=2006,
                end_year=2011,
            )
            for supervisor, role in zip(
                others[8:],
                [Supervision.Role.PRINCIPAL, Supervision.Role.CO_SUPERVISOR],
                strict=True,
            )
        ]
    )


def _researcher_derived_fields(researcher) -> None:
    """What Researcher.save() computes, for bulk inserts (which skip save())."""
    from core.text import fold

    researcher.search_name = fold(researcher.full_name)
    researcher.sort_name = fold(f"{researcher.family_name} {researcher.given_name}")


# The triggers that keep each researcher's counts (publications' migration 0021) on the tables the
# load fills. Each chunk of authorships or topic links would recount every researcher on it, from
# all their publications so far: the load turns them off, and counts everyone once at the end.
RECOUNT_TRIGGERS_OFF = (
    "ALTER TABLE publications_authorship DISABLE TRIGGER publications_recount_authorships_insert",
    "ALTER TABLE publications_publication_topics"
    " DISABLE TRIGGER publications_recount_topic_links_insert",
)
RECOUNT_TRIGGERS_ON = (
    "ALTER TABLE publications_authorship ENABLE TRIGGER publications_recount_authorships_insert",
    "ALTER TABLE publications_publication_topics"
    " ENABLE TRIGGER publications_recount_topic_links_insert",
)


def recount_triggers(*, enable: bool) -> None:
    """Turn the recount triggers of the rows the load inserts on or off (PostgreSQL: within the
    load's transaction, which holds the tables)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in RECOUNT_TRIGGERS_ON if enable else RECOUNT_TRIGGERS_OFF:
            cursor.execute(statement)


def recount_everyone() -> None:
    """Each researcher's counts per year, topic and coauthor, as the triggers keep them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT publications_recount(ARRAY(SELECT id FROM profiles_researcher))")


def refresh_search_vectors() -> None:
    """Bring the publications' full-text search vectors up to date after the bulk inserts.

    The publications app keeps them current with database triggers, which the inserts above
    fired; this checks that none is missing (and is the place to call a refresh function, should
    the app provide one)."""
    from django.db import connection

    from publications.models import Publication

    if connection.vendor != "postgresql" or not _has_field(Publication, "search_vector"):
        print("  no search vector on this database")
        return
    missing = Publication.objects.filter(search_vector__isnull=True).count()
    if missing:
        sys.exit(f"{missing} publications have no search vector after the inserts.")


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def analyze() -> None:
    """Planner statistics for the tables filled so far (allowed inside the transaction).

    Without them the search triggers' queries are planned for empty tables (a scan of every
    author for each publication), and the load slows down as it grows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def vacuum_analyze() -> None:
    """Fresh planner statistics and visibility maps, as a long-running database would have."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--researchers", type=int, default=2000)
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--topics", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reset", action="store_true", help="drop the database and create it again first"
    )
    args = parser.parse_args()
    if args.researchers < 2:
        parser.error("--researchers must be at least 2")

    created = database_create(args.database_url, drop_first=args.reset)
    print(f"database: {args.database_url} ({'created' if created else 'existing'})")
    django_setup(args.database_url)
    from django.core.management import call_command

    from profiles.models import Researcher

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - start:.1f} s")
    if Researcher.objects.exists():
        sys.exit("The database already holds researchers: use --reset to start again.")
    Generator(args).run()


if __name__ == "__main__":
    main()
